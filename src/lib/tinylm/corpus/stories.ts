/**
 * A procedural generator of simple English stories in the spirit of TinyStories (Eldan & Li,
 * 2023), written from scratch: our own word lists, templates and plot skeletons. Licence: MIT
 * (part of this repository). Seeded, so the same seed always gives the same corpus.
 */
import type { RNG } from '../rng';

export interface Person {
  name: string;
  kind: 'girl' | 'boy';
  he: string; // she / he
  him: string; // her / him
  his: string; // her / his
}

export const GIRL_NAMES = ['Lily', 'Mia', 'Anna', 'Zoe', 'Emma', 'Sara', 'Lucy', 'Ella', 'Amy', 'Rosa', 'Nina', 'Kate', 'Maya', 'Ruby', 'Lena', 'Ivy', 'Clara', 'Jane', 'Sophie', 'Hana'];
export const BOY_NAMES = ['Tom', 'Ben', 'Sam', 'Max', 'Leo', 'Jack', 'Tim', 'Noah', 'Finn', 'Omar', 'Luke', 'Dan', 'Jim', 'Ravi', 'Alex', 'Theo', 'Hugo', 'Kai', 'Paul', 'Eli'];
export const ANIMALS = ['dog', 'cat', 'bird', 'rabbit', 'frog', 'duck', 'bear', 'fox', 'mouse', 'horse', 'owl', 'turtle'];
export const PLACES = ['park', 'garden', 'forest', 'beach', 'farm', 'lake', 'hill', 'zoo', 'market', 'library', 'school', 'river'];
export const COLORS = ['red', 'blue', 'green', 'yellow', 'pink', 'purple', 'orange', 'white', 'black', 'brown'];
export const OBJECTS = ['ball', 'kite', 'hat', 'box', 'toy car', 'doll', 'book', 'cup', 'boat', 'drum', 'balloon', 'scarf'];
const ADJ = ['little', 'happy', 'kind', 'curious', 'brave', 'shy', 'funny', 'small', 'clever', 'gentle'];
const PLAY = ['play with blocks', 'draw pictures', 'sing songs', 'run and jump', 'read books', 'dance', 'build sand castles', 'look at the stars', 'help in the kitchen', 'play hide and seek'];
const FOODS = ['apples', 'cookies', 'cake', 'soup', 'bread', 'bananas', 'ice cream', 'pie', 'carrots', 'cheese'];
const WEATHER = ['sunny', 'rainy', 'windy', 'cold', 'warm', 'snowy'];
const FEEL_BAD = ['sad', 'scared', 'worried', 'upset'];
const FEEL_GOOD = ['happy', 'proud', 'glad', 'excited'];
const FAMILY = ['mom', 'dad', 'grandma', 'grandpa', 'sister', 'brother'];

/** A random child character. */
export function person(rng: RNG, name?: string): Person {
  const girl = name ? GIRL_NAMES.includes(name) : rng.next() < 0.5;
  const n = name ?? rng.pick(girl ? GIRL_NAMES : BOY_NAMES);
  return girl ? { name: n, kind: 'girl', he: 'she', him: 'her', his: 'her' } : { name: n, kind: 'boy', he: 'he', him: 'him', his: 'his' };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const an = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

function opening(rng: RNG, p: Person): string[] {
  const adj = rng.pick(ADJ);
  switch (rng.int(4)) {
    case 0:
      return [`Once upon a time, there was ${an(adj)} ${p.kind} named ${p.name}.`];
    case 1:
      return [`${p.name} was ${an(adj)} ${p.kind} who lived in a small house near the ${rng.pick(PLACES)}.`];
    case 2:
      return [`Once upon a time, in a ${rng.pick(['small', 'quiet', 'busy', 'pretty'])} town, there lived ${an(adj)} ${p.kind} named ${p.name}.`];
    default:
      return [`There was once ${an(adj)} ${p.kind}. ${cap(p.his)} name was ${p.name}.`];
  }
}

function likes(rng: RNG, p: Person): string[] {
  switch (rng.int(3)) {
    case 0:
      return [`${cap(p.he)} loved to ${rng.pick(PLAY)}.`];
    case 1:
      return [`${cap(p.his)} favorite toy was a ${rng.pick(COLORS)} ${rng.pick(OBJECTS)}.`];
    default:
      return [`${cap(p.he)} liked to eat ${rng.pick(FOODS)} every day.`];
  }
}

type Plot = (rng: RNG, p: Person) => string[];

const plots: Plot[] = [
  // lost object, found with a friend
  (rng, p) => {
    const obj = rng.pick(OBJECTS), col = rng.pick(COLORS), f = person(rng), place = rng.pick(PLACES);
    return [
      `One day, ${p.name} went to the ${place} with ${p.his} ${col} ${obj}.`,
      `${cap(p.he)} played for a long time. When it was time to go home, the ${obj} was gone!`,
      `${p.name} felt ${rng.pick(FEEL_BAD)}. "Where is my ${obj}?" ${p.he} asked.`,
      `${p.his === 'her' ? 'Her' : 'His'} friend ${f.name} came to help. They looked under the trees and behind the rocks.`,
      `At last, ${f.name} found the ${obj} near a big flower. "Here it is!" ${f.he} said.`,
      `${p.name} smiled and said, "Thank you, ${f.name}!" They were ${rng.pick(FEEL_GOOD)} and played together until the sun went down.`,
    ];
  },
  // animal in trouble
  (rng, p) => {
    const a = rng.pick(ANIMALS), place = rng.pick(PLACES);
    const fam = rng.pick(FAMILY);
    return [
      `One ${rng.pick(WEATHER)} day, ${p.name} went to the ${place}.`,
      `There, ${p.he} saw a little ${a}. The ${a} was stuck and could not get out.`,
      `${p.name} felt ${rng.pick(FEEL_BAD)} for the ${a}. "Do not be afraid, little ${a}. I will help you," ${p.he} said.`,
      `${cap(p.he)} called ${p.his} ${fam}. Together, they gently helped the ${a} get free.`,
      `The ${a} was very happy. It jumped around and made a happy sound.`,
      `From that day on, the ${a} came to see ${p.name} every day, and they became best friends.`,
    ];
  },
  // sharing
  (rng, p) => {
    const f = person(rng), food = rng.pick(FOODS);
    return [
      `One day, ${p.name}'s ${rng.pick(FAMILY)} gave ${p.him} some ${food}.`,
      `${p.name} wanted to eat all the ${food} alone. Then ${p.he} saw ${f.name}, who looked hungry and ${rng.pick(FEEL_BAD)}.`,
      `${p.name} thought for a moment. Then ${p.he} said, "${f.name}, do you want some ${food}?"`,
      `${f.name} smiled. "Yes, please! Thank you," ${f.he} said.`,
      `They sat together and ate the ${food}. ${p.name} learned that sharing makes everyone happy.`,
    ];
  },
  // fear overcome
  (rng, p) => {
    const thing = rng.pick(['the dark', 'the big dog next door', 'the tall slide', 'the loud thunder', 'the deep water']);
    const fam = rng.pick(FAMILY);
    return [
      `${p.name} was scared of ${thing}.`,
      `One night, ${p.he} told ${p.his} ${fam}, "I am scared of ${thing}."`,
      `${cap(p.his)} ${fam} hugged ${p.him} and said, "It is okay to be scared. You are brave, and I am here with you."`,
      `The next day, ${p.name} took a deep breath and tried again. It was not so bad!`,
      `${p.name} felt ${rng.pick(FEEL_GOOD)}. ${cap(p.he)} was not scared of ${thing} anymore.`,
    ];
  },
  // making something
  (rng, p) => {
    const thing = rng.pick(['a cake', 'a card', 'a kite', 'a little house for the birds', 'a picture', 'a sand castle']);
    const fam = rng.pick(FAMILY), col = rng.pick(COLORS);
    return [
      `One morning, ${p.name} wanted to make ${thing} for ${p.his} ${fam}.`,
      `${cap(p.he)} found some ${col} paper, some glue and a big box.`,
      `At first, it did not look good. ${p.name} felt ${rng.pick(FEEL_BAD)}, but ${p.he} did not give up.`,
      `${cap(p.he)} tried again and again. At last, ${thing} was ready.`,
      `${cap(p.his)} ${fam} loved it. "This is the best gift ever!" said ${p.his} ${fam}. ${p.name} was very ${rng.pick(FEEL_GOOD)}.`,
    ];
  },
  // trip and weather
  (rng, p) => {
    const place = rng.pick(PLACES), f = person(rng), obj = rng.pick(OBJECTS);
    return [
      `One day, ${p.name} and ${f.name} went to the ${place}. The sky was blue and the sun was warm.`,
      `They played with a ${rng.pick(COLORS)} ${obj} and laughed a lot.`,
      `Then, big clouds came and it started to rain.`,
      `"Oh no!" said ${f.name}. "We will get wet!"`,
      `${p.name} had an idea. "Let us hide under the big tree," ${p.he} said.`,
      `They waited under the tree until the rain stopped. Then they saw a beautiful rainbow in the sky. It was a good day.`,
    ];
  },
  // helping at home
  (rng, p) => {
    const fam = rng.pick(FAMILY), food = rng.pick(FOODS);
    return [
      `${p.name}'s ${fam} was very tired. ${cap(p.he)} wanted to help.`,
      `${p.name} cleaned ${p.his} room and put all ${p.his} toys in the box.`,
      `Then ${p.he} helped ${p.his} ${fam} make ${food} for dinner.`,
      `${cap(p.his)} ${fam} smiled and said, "Thank you, ${p.name}. You are a big help."`,
      `${p.name} felt ${rng.pick(FEEL_GOOD)}. Helping others made ${p.him} happy.`,
    ];
  },
];

/** One story of 5–9 sentences. `name` fixes the main character. */
export function story(rng: RNG, name?: string): string {
  const p = person(rng, name);
  const parts = [...opening(rng, p), ...(rng.next() < 0.7 ? likes(rng, p) : []), ...rng.pick(plots)(rng, p)];
  return parts.join(' ');
}

/** A short story: opening and the first three plot sentences (for chat answers). */
export function shortStory(rng: RNG, name?: string): string {
  const p = person(rng, name);
  const plot = rng.pick(plots)(rng, p);
  return [...opening(rng, p), ...plot.slice(0, 3)].join(' ');
}

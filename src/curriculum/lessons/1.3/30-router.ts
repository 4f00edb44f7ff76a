import { defineLessonPart } from '../../types';
import results from '../../../lib/langchain/eval-results.json';

const md = (s: string): string => s.replaceAll('§', '`');
const r = results.routers;
const pct = (x: number) => `${Math.round(x * 100)} %`;

export default defineLessonPart({
  topic: '1.3',
  order: 30,
  title: 'Router chains: send each query where it belongs',
  body: md(String.raw`
One model is rarely the best tool for every request. A **router** looks at the query and picks a
destination: here a **calculator** tool (exact arithmetic, no model), **retrieval** over this course,
the **chat** model, or a bigger **GPU** model when one is loaded. In LCEL a router chain is just a
function that returns the next Runnable:

§§§ts
const chain = RunnableLambda.from(async (query) => destinations[(await router.route(query)).route]);
// Python: RunnableLambda(lambda q: destinations[route(q)])   (or RunnableBranch)
§§§

Three ways to decide, side by side in the lab on the same ${results.queries} labelled queries
(${results.queries / results.routes.length} per route, written for this project, none of them among the
semantic router's ${results.examples} examples):

1. **Keyword rules** — ordered "route: word, phrase" lists; first match wins. Free, instant, transparent,
   and brittle: "Write a little story about Lily" matches *write* and goes to the GPU.
2. **Semantic routing** — embed a few labelled examples per route; a query goes where its nearest examples
   are (k-nearest vote by cosine similarity). Here with the built-in lexical embedder, which sees shared
   words, not meaning.
3. **LLM classifier** — ask the model for the route, with its output **constrained to the route names**
   (a JSON schema with an enum, lesson 1.2): it can never answer a route that does not exist, but it can
   answer the wrong one.

Measured on TinyLM (§npm run langchain:eval§): keyword rules **${pct(r.keyword.accuracy)}**, semantic
**${pct(r.semantic.accuracy)}**, LLM classifier **${pct(r.llm.accuracy)}** (chance is 25 %). Be suspicious of
the first number: the rules were written by the same people as the queries, with the queries in view —
the classic way to overfit a router. Write ten new queries of your own and the gap narrows. The semantic
router confuses retrieval with calculator questions (both start "What is …") because a lexical embedder
only sees words; a neural embedder (lesson 1.4) sees meaning. The LLM classifier needs a model that reads
instructions: TinyLM was never trained to classify, so its constrained answers are near chance. With a
GPU model the ranking often flips — which is the point of measuring instead of assuming. Open the
confusion matrices: a router's errors are rarely uniform, and the off-diagonal cells tell you which rule
or example to add.
`),
  labs: ['lc-router'],
  quiz: [
    {
      question: 'The LLM router uses a JSON schema with an enum of route names. What does that guarantee?',
      choices: ['Every answer is one of the routes (but not that it is the right one)', 'Every answer is the correct route', 'The model runs faster', 'No model call is needed'],
      answer: 0,
      explanation: 'Constrained decoding removes invalid outputs, not wrong ones: accuracy still has to be measured on labelled queries.',
    },
    {
      question: 'Your keyword router gets almost every query right, but you wrote those queries while writing its rules. What is the honest next step?',
      choices: ['Measure it on queries written without looking at the rules', 'Ship it', 'Add more keywords until it scores 100 %', 'Switch to an LLM router'],
      answer: 0,
      explanation: 'Rules tuned on the evaluation set overfit it; only held-out queries estimate how it routes real traffic.',
    },
  ],
  resources: [
    { title: 'LangChain.js — routing between sub-chains', url: 'https://js.langchain.com/docs/how_to/routing/' },
    { title: 'semantic-router (routing by embeddings)', url: 'https://github.com/aurelio-labs/semantic-router' },
  ],
});

/**
 * The default text of the out-of-distribution measurement: hand-written for this lab, a "simple
 * story" to a human reader, but with words, names and sentence shapes TinyLM's story generator
 * never produces (a bird named Pip, a shiny stone). The intact base model scores it near a
 * uniform guess over its vocabulary, while the generator's own held-out stories score ~0.7 nats.
 */
export const OOD_EXAMPLE = `Once upon a time, there was a little bird named Pip. Pip lived in a tall tree near the river. One morning, Pip wanted to find a shiny stone. Pip looked under the leaves and behind the rocks. Then Pip met a kind frog, who said the stone was by the water. Pip flew to the river and found the shiny stone. Pip was very happy. They played together until the sun went down.`;

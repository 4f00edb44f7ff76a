/**
 * Held-out text for the ablation lab's loss: written for this lab in the style of the training
 * stories but not taken from them.
 */
export const HELD_OUT = `Once upon a time, there was a little bird named Pip. Pip lived in a tall tree near the river. One morning, Pip wanted to find a shiny stone. Pip looked under the leaves and behind the rocks. Then Pip met a kind frog, who said the stone was by the water. Pip flew to the river and found the shiny stone. Pip was very happy. They played together until the sun went down.`;

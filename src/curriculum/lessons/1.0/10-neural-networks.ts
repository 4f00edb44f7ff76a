import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '1.0',
  order: 10,
  title: 'Neural networks and backpropagation',
  body: String.raw`
A neural network is a function built from many small, differentiable pieces. A **layer** takes a
vector $x$, multiplies it by a weight matrix, adds a bias and applies a non-linear **activation**:

$$
a = \phi(Wx + b), \qquad \phi \in \{\tanh,\ \mathrm{ReLU},\ \sigma\}.
$$

Stack a few layers and the last one produces **logits**, one score per class. A softmax turns
them into probabilities and the **cross-entropy loss** measures how surprised the network is by
the right answer:

$$
p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, \qquad L = -\log p_{y}.
$$

An LLM is the same idea at scale: its "classes" are the tokens of the vocabulary, and it is
trained with exactly this loss on the next token.

**Training** means nudging every weight against its gradient, $w \leftarrow w - \eta\,\partial L/\partial w$,
where $\eta$ is the learning rate. The gradients come from **backpropagation**: the chain rule applied
from the loss back to every weight. If $L$ depends on $w$ through an intermediate value $u$,

$$
\frac{\partial L}{\partial w} = \frac{\partial L}{\partial u}\cdot\frac{\partial u}{\partial w},
$$

and when a value feeds several others, the contributions **add up**. Each operation only needs
to know its own local derivative (for a product $u = a\cdot b$: $\partial u/\partial a = b$; for $\tanh$:
$1 - \tanh^2$). Libraries like PyTorch record the operations during the forward pass and replay
them backwards — this is *reverse-mode automatic differentiation*, and it is what the labs
below run: the same autograd that trains the built-in TinyLM language model.

**In the playground** pick a dataset and train. Things to try:
- *XOR* with the activation set to *linear*: a stack of linear layers is still linear, so it can
  never separate XOR. Switch to tanh or ReLU and it can.
- A learning rate of 3 makes the loss jump around or explode; 0.001 barely moves.
- With lots of noise and a big network, watch the **test loss** (dashed) rise while the train
  loss keeps falling: that is over-fitting.
- Batch size 1 gives noisy, jittery updates; a big batch gives smooth but fewer updates per epoch.

Click a point to follow one example, then click a neuron to see its value $z$, its activation
$a$ and the gradients $\partial L/\partial z$, $\partial L/\partial a$ for that example. Then step through
backpropagation by hand on a single neuron (the example from Andrej Karpathy's micrograd).
`,
  labs: ['nn-playground', 'backprop-steps'],
  after: String.raw`
Notice in the step-through that the gradient of a sum passes through unchanged ($\partial(a+b)/\partial a = 1$)
— this is why **residual connections** ($x + f(x)$) keep gradients alive through very deep
transformers, which you will meet again in lesson 2.1.
`,
  quiz: [
    {
      question: 'A network has three layers but no activation functions. What can it represent?',
      choices: ['Any function, given enough neurons', 'Only linear (affine) functions of its input', 'Only XOR-like patterns', 'Nothing: it cannot be trained'],
      answer: 1,
      explanation: 'A product of matrices is a matrix: W3(W2(W1x + b1) + b2) + b3 is still affine. The non-linearity between layers is what lets depth add expressive power.',
    },
    {
      question: 'In u = a·b, a feeds only into u. ∂L/∂u = −2 and b = 3. What is ∂L/∂a?',
      choices: ['−2', '3', '−6', '1'],
      answer: 2,
      explanation: 'Chain rule: ∂L/∂a = ∂L/∂u · ∂u/∂a = −2 · b = −6.',
    },
    {
      question: 'Train loss keeps falling while test loss starts rising. What is happening?',
      choices: ['The learning rate is too small', 'The network is over-fitting the training points', 'The gradients are wrong', 'The data has no noise'],
      answer: 1,
      explanation: 'The network is memorising the training points (including their noise) instead of the pattern; held-out data reveals it. More data, regularisation or a smaller network help.',
    },
    {
      question: 'Why does a value that feeds two later nodes receive the sum of their gradient contributions?',
      choices: ['By convention only', 'Because of the multivariable chain rule: a small change in it changes L through both paths', 'Because gradients are always positive', 'It does not: only the last path counts'],
      answer: 1,
      explanation: 'dL = Σ over paths of (∂L/∂child · ∂child/∂x)·dx, so the contributions add. Autograd libraries accumulate with +=.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — Mathematics for ML and Neural networks', url: 'https://github.com/mlabonne/llm-course#1-mathematics-for-machine-learning' },
    { title: 'Andrej Karpathy — micrograd (autograd in ~100 lines)', url: 'https://github.com/karpathy/micrograd' },
    { title: 'TensorFlow Playground (the original)', url: 'https://playground.tensorflow.org/' },
    { title: '3Blue1Brown — Backpropagation calculus', url: 'https://www.3blue1brown.com/lessons/backpropagation-calculus' },
  ],
});

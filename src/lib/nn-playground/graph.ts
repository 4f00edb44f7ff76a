/**
 * A micrograd-style computation graph for stepping through one forward and one backward pass:
 * a single tanh neuron with a squared-error loss,
 *   L = (tanh(x1·w1 + x2·w2 + b) − y)²
 * built from scalar tensors of TinyLM's autograd. The gradients shown are the autograd's own;
 * `localRule` only explains each chain-rule factor in words and numbers.
 */
import { add, mul, parameter, square, sub, tanh, type Tensor } from '../tinylm/autograd';

export type NodeOp = 'input' | 'mul' | 'add' | 'sub' | 'tanh' | 'square';

export interface GraphNode {
  id: string;
  /** what the node computes, e.g. "x1·w1" */
  label: string;
  op: NodeOp;
  parents: string[];
  value: number;
  /** ∂L/∂node after the backward pass */
  grad: number;
}

export interface NeuronInputs {
  x1: number;
  x2: number;
  w1: number;
  w2: number;
  b: number;
  y: number;
}

export const DEFAULT_NEURON: NeuronInputs = { x1: 2, x2: 0, w1: -3, w2: 1, b: 6.8813735870195432, y: 1 };

/** Builds the graph, runs forward and backward, and returns nodes in forward (topological) order. */
export function neuronGraph(inp: NeuronInputs): GraphNode[] {
  const leaf = (v: number) => parameter([v], [1]);
  const t: Record<string, Tensor> = {};
  const nodes: Array<Omit<GraphNode, 'value' | 'grad'>> = [];
  const def = (id: string, label: string, op: NodeOp, parents: string[], value: Tensor) => {
    t[id] = value;
    nodes.push({ id, label, op, parents });
  };
  for (const k of ['x1', 'w1', 'x2', 'w2', 'b', 'y'] as const) def(k, k, 'input', [], leaf(inp[k]));
  def('x1w1', 'x1·w1', 'mul', ['x1', 'w1'], mul(t.x1!, t.w1!));
  def('x2w2', 'x2·w2', 'mul', ['x2', 'w2'], mul(t.x2!, t.w2!));
  def('s', 'x1w1 + x2w2', 'add', ['x1w1', 'x2w2'], add(t.x1w1!, t.x2w2!));
  def('n', 's + b', 'add', ['s', 'b'], add(t.s!, t.b!));
  def('o', 'tanh(n)', 'tanh', ['n'], tanh(t.n!));
  def('d', 'o − y', 'sub', ['o', 'y'], sub(t.o!, t.y!));
  def('L', 'd²', 'square', ['d'], square(t.d!));
  // Read values before backward (which frees the graph's closures, not the data).
  const values = nodes.map((n) => t[n.id]!.data[0]!);
  t.L!.backward();
  return nodes.map((n, i) => ({ ...n, value: values[i]!, grad: t[n.id]!.grad?.[0] ?? 0 }));
}

/**
 * The chain-rule factor from `child` back to its parent `parentId`:
 * ∂L/∂parent += ∂child/∂parent · ∂L/∂child. Returns the local derivative and a formula.
 */
export function localRule(child: GraphNode, parentId: string, byId: Map<string, GraphNode>): { local: number; formula: string } {
  const [a, b] = child.parents.map((p) => byId.get(p)!);
  const f = (v: number) => fmt(v);
  switch (child.op) {
    case 'mul': {
      const other = parentId === a!.id ? b! : a!;
      return { local: other.value, formula: `∂(${a!.id}·${b!.id})/∂${parentId} = ${other.id} = ${f(other.value)}` };
    }
    case 'add':
      return { local: 1, formula: `∂(${a!.id} + ${b!.id})/∂${parentId} = 1` };
    case 'sub':
      return parentId === a!.id
        ? { local: 1, formula: `∂(${a!.id} − ${b!.id})/∂${a!.id} = 1` }
        : { local: -1, formula: `∂(${a!.id} − ${b!.id})/∂${b!.id} = −1` };
    case 'tanh':
      return { local: 1 - child.value ** 2, formula: `∂tanh(${a!.id})/∂${a!.id} = 1 − o² = ${f(1 - child.value ** 2)}` };
    case 'square':
      return { local: 2 * a!.value, formula: `∂(${a!.id}²)/∂${a!.id} = 2·${a!.id} = ${f(2 * a!.value)}` };
    default:
      return { local: 0, formula: '' };
  }
}

/** Formats a number with 4 significant digits, without "-0". */
export function fmt(v: number): string {
  if (Object.is(v, -0) || Math.abs(v) < 5e-13) return '0';
  return Number(v.toPrecision(4)).toString();
}

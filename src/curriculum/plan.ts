/**
 * The study plan as typed data. Ids, titles and task texts are exactly those of
 * `src/curriculum/study-plan.md` (13 topics, 41 tasks; a copy of the plan kept in the repository); resources are links to the plan's key resources.
 */
import type { Phase, Topic } from './types';

export const PHASES: Phase[] = [
  {
    "number": 1,
    "title": "LLM Fundamentals & Application Building (The \"User\")",
    "goal": "Understand the basic LLM paradigm, master prompting, and build a Retrieval-Augmented Generation (RAG) system using frameworks."
  },
  {
    "number": 2,
    "title": "LLM Optimization & Customization (The \"Fine-Tuner\")",
    "goal": "Master techniques to customize and improve the efficiency of open-source LLMs for a specific domain, moving beyond using only APIs."
  },
  {
    "number": 3,
    "title": "Deployment, Operations, and Scaling (The \"Architect\")",
    "goal": "Learn how to deploy, monitor, and scale LLM applications, with a focus on cutting-edge efficiency and advanced RAG."
  }
];

export const TOPICS: Topic[] = [
  {"id": "1.0", "title": "Prerequisites", "phase": 1, "tasks": [{"id": "1.0.a", "text": "Refresh Python (async/await, virtual envs, basic data structures)."}, {"id": "1.0.b", "text": "Review basic Deep Learning concepts (Neural Networks, Backpropagation concept)."}], "resourcesText": "Maxime Labonne's Course: LLM Fundamentals (Mathematics & Python sections).", "resources": [{"title": "Maxime Labonne's LLM Course — LLM Fundamentals (Mathematics, Python)", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "1.1", "title": "Core LLM Mechanics", "phase": 1, "tasks": [{"id": "1.1.a", "text": "Understand Tokens and Tokenization (BPE, byte-level)."}, {"id": "1.1.b", "text": "Differentiate between Context Window and model size."}, {"id": "1.1.c", "text": "Learn to set and manage Sampling Parameters (temperature, top-p, max_tokens)."}], "resourcesText": "MLabonne Course: LLM Architecture (Tokenization, Sampling Techniques).", "resources": [{"title": "LLM Course — LLM Architecture (tokenization, sampling)", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "1.2", "title": "Prompt Engineering", "phase": 1, "tasks": [{"id": "1.2.a", "text": "Master Zero-Shot and Few-Shot prompting."}, {"id": "1.2.b", "text": "Implement Chain-of-Thought (CoT) and System Prompts."}, {"id": "1.2.c", "text": "Practice techniques for reliable structured output (JSON/Pydantic parsing)."}], "resourcesText": "MLabonne Course: Prompt Engineering section. DeepLearning.AI: Prompt Engineering for Developers.", "resources": [{"title": "LLM Course — Prompt engineering", "url": "https://github.com/mlabonne/llm-course"}, {"title": "DeepLearning.AI — ChatGPT Prompt Engineering for Developers", "url": "https://www.deeplearning.ai/short-courses/chatgpt-prompt-engineering-for-developers/"}]},
  {"id": "1.3", "title": "Framework Basics (LangChain/LlamaIndex)", "phase": 1, "tasks": [{"id": "1.3.a", "text": "Learn the core components: LLM, Prompt Template, Output Parser."}, {"id": "1.3.b", "text": "Build a basic conversation chain (memory management)."}, {"id": "1.3.c", "text": "Implement a simple Router Chain to direct user queries to different tools/LLMs."}], "resourcesText": "MLabonne Course: Basic Applications section. Official Framework Documentation (LangChain/LlamaIndex).", "resources": [{"title": "LLM Course — Building basic applications", "url": "https://github.com/mlabonne/llm-course"}, {"title": "LangChain.js documentation", "url": "https://js.langchain.com/docs/introduction/"}, {"title": "LlamaIndex documentation", "url": "https://docs.llamaindex.ai/"}]},
  {"id": "1.4", "title": "Retrieval-Augmented Generation (RAG)", "phase": 1, "tasks": [{"id": "1.4.a", "text": "Understand Vector Embeddings (e.g., HuggingFace models, OpenAI)."}, {"id": "1.4.b", "text": "Implement Document Ingestion (loading, splitting/chunking)."}, {"id": "1.4.c", "text": "Use a Vector Database (Chroma/Pinecone) for semantic search."}, {"id": "1.4.d", "text": "Build a Basic RAG Pipeline (Query → Retrieve → Augment → Generate)."}], "resourcesText": "MLabonne Course: Retrieval Augmented Generation section.", "resources": [{"title": "LLM Course — Retrieval Augmented Generation", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "2.1", "title": "Transformer Architecture Deep Dive", "phase": 2, "tasks": [{"id": "2.1.a", "text": "Attention Mechanism: Understand Self-Attention and Multi-Head Attention."}, {"id": "2.1.b", "text": "Grasp the overall Decoder-Only Transformer structure (GPT-style)."}, {"id": "2.1.c", "text": "Understand the purpose of LayerNorm, Feed-Forward, and Residual Connections."}], "resourcesText": "MLabonne Course: The LLM Scientist (LLM Architecture). Stanford CS336: Lecture 3 & 4 (Self-Attention and Transformers).", "resources": [{"title": "LLM Course — The LLM Scientist: LLM architecture", "url": "https://github.com/mlabonne/llm-course"}, {"title": "Stanford CS336 — Lectures 3 & 4 (architectures, attention)", "url": "https://stanford-cs336.github.io/spring2025/"}]},
  {"id": "2.2", "title": "Fine-Tuning Techniques", "phase": 2, "tasks": [{"id": "2.2.a", "text": "Differentiate between Full Fine-Tuning and Parameter-Efficient Fine-Tuning (PEFT)."}, {"id": "2.2.b", "text": "Implement Supervised Fine-Tuning (SFT) using LoRA."}, {"id": "2.2.c", "text": "Implement a QLoRA Fine-Tuning run (4-bit quantization)."}, {"id": "2.2.d", "text": "Practice Data Curation and formatting for SFT."}], "resourcesText": "MLabonne Course: Fine-tuning section (LoRA/QLoRA).", "resources": [{"title": "LLM Course — Fine-tuning (LoRA, QLoRA)", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "2.3", "title": "Preference Alignment", "phase": 2, "tasks": [{"id": "2.3.a", "text": "Understand the need for Alignment (safety/helpfulness)."}, {"id": "2.3.b", "text": "Differentiate between PPO (Reinforcement Learning) and DPO (Direct Preference Optimization)."}, {"id": "2.3.c", "text": "Implement a minimal DPO run or follow a complete DPO tutorial to understand the process."}], "resourcesText": "MLabonne Course: Alignment section (DPO/RLHF).", "resources": [{"title": "LLM Course — Preference alignment (DPO, RLHF)", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "3.1", "title": "Inference Optimization", "phase": 3, "tasks": [{"id": "3.1.a", "text": "Understand and implement model Quantization (e.g., GGUF, AWQ, int4/int8) for deployment."}, {"id": "3.1.b", "text": "Learn about KV-Cache and its role in inference speed."}, {"id": "3.1.c", "text": "Understand Speculative Decoding for faster generation."}, {"id": "3.1.d", "text": "Use an accelerated inference server (e.g., vLLM or TGI)."}], "resourcesText": "MLabonne Course: Inference section (Quantization). Stanford CS336: Lecture 10 (Efficient Inference).", "resources": [{"title": "LLM Course — Inference optimization, quantization", "url": "https://github.com/mlabonne/llm-course"}, {"title": "Stanford CS336 — Lecture 10 (inference)", "url": "https://stanford-cs336.github.io/spring2025/"}]},
  {"id": "3.2", "title": "Advanced RAG Architectures", "phase": 3, "tasks": [{"id": "3.2.a", "text": "Implement HyDE (Hypothetical Document Embedding) for better retrieval."}, {"id": "3.2.b", "text": "Understand and apply Re-ranking techniques to improve retrieval quality."}, {"id": "3.2.c", "text": "Explore Multi-Modal RAG (text + image/video embeddings)."}, {"id": "3.2.d", "text": "Learn about Knowledge Graphs for structured retrieval."}], "resourcesText": "MLabonne Course: Advanced RAG section.", "resources": [{"title": "LLM Course — Advanced RAG", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "3.3", "title": "LLM Agents & Multi-Agent Systems", "phase": 3, "tasks": [{"id": "3.3.a", "text": "Build a more complex, memory-driven agent (long-term memory)."}, {"id": "3.3.b", "text": "Implement a Tool Calling Agent that can use multiple external APIs reliably."}, {"id": "3.3.c", "text": "Explore Multi-Agent Workflows using frameworks like AutoGen or LangGraph."}], "resourcesText": "MLabonne Course: Agents section.", "resources": [{"title": "LLM Course — Agents", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "3.4", "title": "LLMOps & Monitoring", "phase": 3, "tasks": [{"id": "3.4.a", "text": "Define key metrics for LLMs (Hallucination, Groundedness, Toxicity)."}, {"id": "3.4.b", "text": "Use an LLM-as-a-Judge framework (e.g., prompt-based evaluation) to evaluate your fine-tuned model."}, {"id": "3.4.c", "text": "Understand the role of Logging and Monitoring tools (e.g., LangSmith, Weights & Biases) in production."}], "resourcesText": "MLabonne Course: Evaluation and LLMOps sections.", "resources": [{"title": "LLM Course — Evaluation and LLMOps", "url": "https://github.com/mlabonne/llm-course"}]},
  {"id": "3.5", "title": "Scaling and Efficiency", "phase": 3, "tasks": [{"id": "3.5.a", "text": "Understand Parallelism techniques for training/inference (Data/Model/Pipeline)."}, {"id": "3.5.b", "text": "Grasp the concept of Mixture-of-Experts (MoE) models and why they are faster."}], "resourcesText": "Stanford CS336: Lectures 5-9 (The training/scaling process).", "resources": [{"title": "Stanford CS336 — Lectures 5–9 (GPUs, kernels, parallelism, scaling laws)", "url": "https://stanford-cs336.github.io/spring2025/"}]},
];

/** All tasks in plan order. */
export const ALL_TASKS = TOPICS.flatMap((t) => t.tasks.map((task) => ({ ...task, topic: t.id })));

/** Looks a topic up by id (`1.1`). */
export function getTopic(id: string): Topic | undefined {
  return TOPICS.find((t) => t.id === id);
}

/** The topic a task id belongs to (`1.1.a` → `1.1`). */
export function topicOfTask(taskId: string): string | undefined {
  return ALL_TASKS.find((t) => t.id === taskId)?.topic;
}

/** True when the id names a task of the plan. */
export function isTaskId(id: string): boolean {
  return ALL_TASKS.some((t) => t.id === id);
}

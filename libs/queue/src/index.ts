// Public API of @agent-harness/queue.
export {};

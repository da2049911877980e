// Public API of @agent-harness/gc.
export {};

// Public API of @agent-harness/observe.
export {};

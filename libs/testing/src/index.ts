// Public API of @agent-harness/testing.
export {};

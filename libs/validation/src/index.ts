// Public API of @agent-harness/validation.
export {};

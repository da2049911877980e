// Public API of @agent-harness/rules.
export {};

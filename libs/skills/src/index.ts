// Public API of @agent-harness/skills.
export {};

// Public API of @agent-harness/pipeline.
export {};

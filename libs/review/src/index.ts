// Public API of @agent-harness/review.
export {};

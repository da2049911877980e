/** What Octokit throws for an HTTP answer that is not 2xx (its `RequestError`), as far as Harness reads it. */
export interface RequestErrorLike {
  readonly status: number;
  readonly message: string;
  readonly response?: { readonly headers?: Record<string, string | undefined>; readonly data?: unknown };
}

export function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

/** GitHub's own message of a failed answer (its body's `message`), else the error's. */
export function apiMessageOf(error: RequestErrorLike): string {
  const apiMessage = (error.response?.data as { message?: unknown } | undefined)?.message;
  return typeof apiMessage === 'string' ? apiMessage : error.message;
}

/**
 * A Tencent Cloud API 3.0 error: `code` is Tencent's exact `Error.Code`, `message` is free-form and must never
 * echo a request value (STYLE §6). The pipeline turns it into `{"Response":{"Error":{Code,Message},"RequestId"}}`.
 */
export class ApiError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
  }
}

/** Throws `ApiError(code, message)` unless `condition` holds. */
export function assertApi(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new ApiError(code, message)
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError
}

// The explorer's one door to the HTTP API: same-origin `/api/...` URLs, JSON in and out, and an
// error that carries the API's own message (`{"error": ...}`) so a pane can show it as is.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }

  get notFound() {
    return this.status === 404;
  }
}

const STATUS_MESSAGES = {
  429: "Too many requests: wait a moment and try again.",
  502: "The server could not reach a data store.",
  503: "The service is not ready yet.",
  504: "The query took too long and was stopped.",
};

/** Builds `/api/<path>?...` from an object, leaving out empty values. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    query.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = query.toString();
  return `/api/${path}${text ? `?${text}` : ""}`;
}

/** GETs JSON from the API; rejects with ApiError (HTTP failures) or an AbortError (superseded). */
export async function getJson(path, params = {}, { signal } = {}) {
  let response;
  try {
    response = await fetch(apiUrl(path, params), { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("The server cannot be reached.", 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = messageOf(body) ?? STATUS_MESSAGES[response.status] ?? `Request failed (HTTP ${response.status}).`;
    throw new ApiError(message, response.status);
  }
  if (body === null) throw new ApiError("The server sent an answer that is not JSON.", response.status);
  return body;
}

function messageOf(body) {
  if (!body || typeof body !== "object") return null;
  if (typeof body.error === "string") return body.error;
  if (typeof body.detail === "string") return body.detail;
  return null;
}

/**
 * Wraps getJson so that each new call aborts the previous one still in flight: what a search box or
 * a scrubber needs, where only the newest answer matters.
 */
export function latestOnly() {
  let controller = null;
  return (path, params) => {
    controller?.abort();
    controller = new AbortController();
    return getJson(path, params, { signal: controller.signal });
  };
}

export const isAbort = (error) => error?.name === "AbortError";

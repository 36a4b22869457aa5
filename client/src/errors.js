// Every error the server can send, said in the reader's language.
//
// The server's `message` is English for logs and is never shown: a failed
// request is told by its `code`, and an error about one input by its `reason`
// (with `min`/`max`), next to that input (issue 12). client/test/errors.test.js
// and tests/test_client_errors.py walk every code and reason in fi, sv and en.

import { t } from "./i18n.js";
import {
  ERROR_CODES, HTTP_ERROR_CODES, CONNECT_ERRORS, FIELD_REASONS, CLIENT_TIMEOUT, CLIENT_NETWORK,
} from "./protocol.js";

/** Every code a failed request, an HTTP error or a refused connection may carry. */
export const KNOWN_CODES = Object.freeze([...new Set([
  ...Object.values(ERROR_CODES), ...Object.values(HTTP_ERROR_CODES),
  ...Object.values(CONNECT_ERRORS), CLIENT_TIMEOUT, CLIENT_NETWORK,
])]);

const REASONS = new Set(Object.values(FIELD_REASONS));

/** A sentence for a failed request: by its code, `internal` for one we do not know. */
export function errorText(error) {
  const code = error?.code;
  return t(`error.${KNOWN_CODES.includes(code) ? code : ERROR_CODES.INTERNAL}`);
}

/**
 * A sentence for an error about one input: by its reason and bounds; an error
 * without a reason we know reads as its code does.
 */
export function fieldErrorText(error) {
  const reason = error?.reason;
  if (!REASONS.has(reason)) return errorText(error);
  if (reason === FIELD_REASONS.REQUIRED && error.field === "name") return t("join.nameMissing");
  const max = Number.isFinite(error.max) ? error.max : undefined;
  const min = Number.isFinite(error.min) ? error.min : undefined;
  return t(`field.${reason}`, { count: max, max, min });
}

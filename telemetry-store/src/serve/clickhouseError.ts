// ClickHouse's error answer on its HTTP interface, as the owner gives it: the body
// `Code: N. DB::Exception: <message>. (NAME) (version V)`, the X-ClickHouse-Exception-Code
// header and the HTTP status ClickHouse derives from the code (its exceptionCodeToHTTPStatus).
// chDB's messages arrive nested (`Code: 73. DB::Exception: Code: 73. DB::Exception: …`);
// they are unwrapped so a client sees what a server would send.

/** The ClickHouse error codes the owner raises itself (numbers from errorCodeToName). */
export const CH_CODES = {
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  UNKNOWN_SETTING: 115,
  READONLY: 164,
  QUERY_IS_TOO_LARGE: 229,
  CANNOT_DECOMPRESS: 271,
  UNKNOWN_QUERY_PARAMETER: 456,
  UNSUPPORTED_MEDIA_TYPE: 779,
  STD_EXCEPTION: 1001,
} as const;

/** Error names ClickHouse answers with 400, 404, ... (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp). */
const STATUS_BY_NAME: Record<string, number> = {};
for (const [status, names] of [
  [401, 'REQUIRED_PASSWORD'],
  [403, 'UNKNOWN_USER WRONG_PASSWORD AUTHENTICATION_FAILED SET_NON_GRANTED_ROLE ACCESS_DENIED'],
  [
    400,
    'BAD_ARGUMENTS CANNOT_COMPILE_REGEXP CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE CANNOT_PARSE_QUOTED_STRING ' +
      'CANNOT_PARSE_DATE CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING ' +
      'CANNOT_PARSE_IPV4 CANNOT_PARSE_IPV6 CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_UUID DUPLICATE_COLUMN ' +
      'ILLEGAL_COLUMN UNKNOWN_ELEMENT_IN_AST UNKNOWN_TYPE_OF_AST_NODE THERE_IS_NO_COLUMN TOO_DEEP_AST TOO_BIG_AST ' +
      'UNEXPECTED_AST_STRUCTURE SYNTAX_ERROR INCORRECT_DATA TYPE_MISMATCH VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  ],
  [
    404,
    'UNKNOWN_TABLE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE UNKNOWN_STORAGE UNKNOWN_DATABASE UNKNOWN_SETTING ' +
      'UNKNOWN_DIRECTION_OF_SORTING UNKNOWN_AGGREGATE_FUNCTION UNKNOWN_FORMAT UNKNOWN_DATABASE_ENGINE ' +
      'UNKNOWN_TYPE_OF_QUERY UNKNOWN_ROLE',
  ],
  [413, 'QUERY_IS_TOO_LARGE'],
  [501, 'NOT_IMPLEMENTED'],
  [503, 'SOCKET_TIMEOUT CANNOT_OPEN_FILE CANNOT_SCHEDULE_TASK'],
  [411, 'HTTP_LENGTH_REQUIRED'],
  [408, 'TIMEOUT_EXCEEDED'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'],
] as const) {
  for (const name of names.split(' ')) STATUS_BY_NAME[name] = status;
}

/** An error in ClickHouse's terms: numeric code, its name and the message. */
export class ClickHouseHttpError extends Error {
  readonly code: number;
  readonly type: string;
  constructor(code: number, type: string, message: string) {
    super(message);
    this.name = 'ClickHouseHttpError';
    this.code = code;
    this.type = type;
  }

  /** The HTTP status ClickHouse answers this error with. */
  get status(): number {
    return STATUS_BY_NAME[this.type] ?? 500;
  }

  /** The response body, as clickhouse-server writes it. */
  body(version: string): string {
    return `Code: ${this.code}. DB::Exception: ${this.message}. (${this.type}) (version ${version})\n`;
  }
}

/** Raises one of the owner's own errors (`chError('READONLY', 'Cannot execute …')`). */
export function chError(type: keyof typeof CH_CODES, message: string): ClickHouseHttpError {
  return new ClickHouseHttpError(CH_CODES[type], type, message);
}

const NESTED = /^(?:Code: \d+\. DB::Exception: )+/;

/**
 * Turns anything chDB (or the handler) threw into a ClickHouseHttpError. A chDB message is
 * `Code: N. DB::Exception: <text>. (NAME)`, possibly nested with `(version …)` suffixes; anything
 * else (a closed store, a bug) becomes STD_EXCEPTION, as a C++ exception does in ClickHouse.
 */
export function toClickHouseError(err: unknown): ClickHouseHttpError {
  if (err instanceof ClickHouseHttpError) return err;
  const raw = String((err as Error)?.message ?? err);
  const head = /^Code: (\d+)\. DB::Exception: /.exec(raw);
  const tail = /\(([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*)\)\s*$/.exec(raw);
  if (!head || !tail) return chError('STD_EXCEPTION', raw.replace(/\.\s*$/, ''));
  const type = tail[1] as string;
  let text = raw.replace(NESTED, '');
  const cut = text.indexOf(` (${type})`);
  if (cut >= 0) text = text.slice(0, cut);
  return new ClickHouseHttpError(Number(head[1]), type, text.replace(/\.\s*$/, ''));
}

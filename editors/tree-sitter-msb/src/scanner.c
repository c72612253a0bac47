// External scanner for tree-sitter-msb: one zero-width token.
//
// After `copy`, `build.server to /app/` copies an artifact and
// `go.mod ./` copies from the build context. Both start with a word that
// could be either, and only the `to` that may follow tells them apart. When
// the parser could start either form, this scanner looks ahead (without
// consuming anything) for `IDENT[.IDENT] to` and, if it is there, emits
// ARTIFACT_COPY_MARKER so that the parser takes the artifact branch.

#include "tree_sitter/parser.h"

#include <stdbool.h>

enum TokenType {
  ARTIFACT_COPY_MARKER,
  ERROR_SENTINEL,
};

void *tree_sitter_msb_external_scanner_create(void) { return NULL; }
void tree_sitter_msb_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_msb_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_msb_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static bool is_ident_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int32_t c) {
  return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }

// Consumes an identifier; false if there is none.
static bool scan_ident(TSLexer *lexer) {
  if (!is_ident_start(lexer->lookahead)) return false;
  while (is_ident_char(lexer->lookahead)) lexer->advance(lexer, false);
  return true;
}

bool tree_sitter_msb_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  // During error recovery every symbol is valid: leave the decision to the
  // ordinary lexer.
  if (valid_symbols[ERROR_SENTINEL] || !valid_symbols[ARTIFACT_COPY_MARKER]) return false;

  while (is_blank(lexer->lookahead)) lexer->advance(lexer, true);
  lexer->mark_end(lexer);
  lexer->result_symbol = ARTIFACT_COPY_MARKER;

  if (!scan_ident(lexer)) return false;
  if (lexer->lookahead == '.') {
    lexer->advance(lexer, false);
    if (!scan_ident(lexer)) return false;
  }
  if (!is_blank(lexer->lookahead)) return false;
  while (is_blank(lexer->lookahead)) lexer->advance(lexer, false);
  if (lexer->lookahead != 't') return false;
  lexer->advance(lexer, false);
  if (lexer->lookahead != 'o') return false;
  lexer->advance(lexer, false);
  return !is_ident_char(lexer->lookahead);
}

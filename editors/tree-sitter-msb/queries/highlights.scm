; Highlights for msb. Capture names follow nvim-treesitter; Helix and Zed
; fall back along the dotted name (`keyword.modifier` -> `keyword`).
; Every node is captured by one pattern only, so the result does not depend
; on whether an editor lets the first or the last matching pattern win.

; ---- comments ---------------------------------------------------------------
(comment) @comment
(doc_comment) @comment.documentation

; ---- keywords ---------------------------------------------------------------
[
  "image"
  "param"
  "secret"
  "from"
  "to"
] @keyword

(role) @keyword.type
(default) @keyword.modifier
(cross) @keyword.modifier
(required) @keyword.modifier

[
  "workdir"
  "env"
  "copy"
  "run"
  "user"
  "expose"
  "label"
  "entrypoint"
  "cmd"
  "healthcheck"
  "produce"
  "install"
  "toolchain"
] @keyword

[
  "cache"
  "chown"
  "chmod"
  "interval"
  "timeout"
  "start-period"
  "retries"
] @keyword

(locked) @keyword.modifier
(ssh_mount) @keyword
(layer_option) @keyword.modifier

[
  "libc"
  "shell"
  "passwd"
  "packages"
] @keyword

; ---- types, kinds and fixed words -------------------------------------------
(primitive_type) @type.builtin
"enum" @keyword.type

(artifact_kind
  [
    "file"
    "dir"
    "exe"
  ] @type.builtin)

(linkage) @constant.builtin
(libc) @constant.builtin
(package_manager) @constant.builtin
(yes_no) @boolean
(boolean) @boolean

; ---- names ------------------------------------------------------------------
(image_declaration
  name: (identifier) @type.definition)

(stage_declaration
  name: (identifier) @type.definition)

(stage_declaration
  base: (identifier) @type)

(param_declaration
  name: (identifier) @variable.parameter)

(secret_declaration
  name: (identifier) @variable)

(secret_mount
  name: (identifier) @variable)

(secret_mount
  variable: (identifier) @constant)

(env_step
  name: (identifier) @constant)

(produce_step
  name: (identifier) @variable.member)

(artifact_reference
  stage: (identifier) @type)

(artifact_reference
  artifact: (identifier) @variable.member)

(interpolation
  name: (identifier) @variable)

(label_key) @property

; ---- literals ---------------------------------------------------------------
(string) @string
(raw_string) @string
(escape_sequence) @string.escape
(path) @string.special.path
(owner) @string.special

[
  (number)
  (port)
  (mode)
  (duration)
] @number

; ---- punctuation ------------------------------------------------------------
(interpolation
  [
    "${"
    "}"
  ] @punctuation.special)

(block
  [
    "{"
    "}"
  ] @punctuation.bracket)

(capabilities
  [
    "{"
    "}"
  ] @punctuation.bracket)

(command_list
  [
    "["
    "]"
  ] @punctuation.bracket)

(enum_type
  [
    "("
    ")"
  ] @punctuation.bracket)

(artifact_kind
  [
    "("
    ")"
  ] @punctuation.bracket)

[
  (command_list
    "," @punctuation.delimiter)
  (enum_type
    "," @punctuation.delimiter)
  (param_declaration
    ":" @punctuation.delimiter)
  (produce_step
    ":" @punctuation.delimiter)
  (artifact_reference
    "." @punctuation.delimiter)
]

"=" @operator

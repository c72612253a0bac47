/**
 * @file tree-sitter grammar for msb, the build language msbc compiles to
 * multi-stage Dockerfiles.
 *
 * It follows grammar/msb.pest, the grammar msbc itself parses with. Where the
 * two differ, this one is more permissive: it is meant for highlighting and
 * editing, and msbc reports the errors. Statements end at a line break, as in
 * msbc; `#` comments and `##` doc comments are allowed anywhere.
 *
 * One decision cannot be made with a single token of lookahead: after
 * `copy`, `build.server` is an artifact reference when `to` follows and a
 * path from the build context otherwise. The external scanner (src/scanner.c)
 * looks ahead for `to` and emits a zero-width marker before an artifact copy.
 */

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/;

module.exports = grammar({
  name: 'msb',

  extras: $ => [/[ \t]/, $.comment, $.doc_comment],

  externals: $ => [$._artifact_copy_marker, $._error_sentinel],

  rules: {
    source_file: $ => seq(
      repeat(choice($._newline, seq($._declaration, $._newline))),
      optional($._declaration),
    ),

    _declaration: $ => choice(
      $.image_declaration,
      $.param_declaration,
      $.secret_declaration,
      $.stage_declaration,
    ),

    _newline: _ => /\r?\n|\r/,

    comment: _ => token(choice(/#([^#\r\n][^\r\n]*)?/, '##')),
    doc_comment: _ => token(/##[^\r\n]+/),

    identifier: _ => IDENT,

    // ---- images ------------------------------------------------------------
    image_declaration: $ => seq(
      'image',
      field('name', $.identifier),
      '=',
      field('reference', $._string),
      optional(field('capabilities', $.capabilities)),
    ),

    capabilities: $ => seq(
      '{',
      repeat(choice($._newline, seq($._capability, $._newline))),
      optional($._capability),
      '}',
    ),

    _capability: $ => choice(
      $.libc_capability,
      $.shell_capability,
      $.passwd_capability,
      $.user_capability,
      $.packages_capability,
    ),
    libc_capability: $ => seq('libc', field('value', $.libc)),
    shell_capability: $ => seq('shell', field('value', $.yes_no)),
    passwd_capability: $ => seq('passwd', field('value', $.yes_no)),
    user_capability: $ => seq('user', field('value', $.owner)),
    packages_capability: $ => seq('packages', field('value', $.package_manager)),
    package_manager: _ => choice('apt', 'apk', 'dnf', 'none'),

    libc: _ => choice('none', 'glibc', 'musl'),
    yes_no: _ => choice('yes', 'no'),

    // ---- params ------------------------------------------------------------
    param_declaration: $ => seq(
      'param',
      field('name', $.identifier),
      ':',
      field('type', choice($.primitive_type, $.enum_type)),
      optional(seq('=', field('default', $._value))),
      optional(field('required', $.required)),
    ),

    required: _ => 'required',

    primitive_type: _ => choice('string', 'bool', 'int'),

    enum_type: $ => seq(
      'enum',
      '(',
      repeat($._newline),
      $._string,
      repeat(seq(repeat($._newline), ',', repeat($._newline), $._string)),
      repeat($._newline),
      optional(seq(',', repeat($._newline))),
      ')',
    ),

    // ---- secrets -----------------------------------------------------------
    secret_declaration: $ => seq('secret', field('name', $.identifier)),

    // ---- stages ------------------------------------------------------------
    stage_declaration: $ => seq(
      optional(field('default', $.default)),
      optional(field('cross', $.cross)),
      field('role', $.role),
      field('name', $.identifier),
      'from',
      field('base', choice($._string, $.identifier)),
      field('body', $.block),
    ),

    default: _ => 'default',
    cross: _ => 'cross',
    role: _ => choice('base', 'builder', 'runtime'),

    block: $ => seq(
      '{',
      repeat(choice($._newline, seq($._step, $._newline))),
      optional($._step),
      '}',
    ),

    _step: $ => choice(
      $.workdir_step,
      $.env_step,
      $.copy_step,
      $.run_step,
      $.user_step,
      $.expose_step,
      $.label_step,
      $.entrypoint_step,
      $.cmd_step,
      $.healthcheck_step,
      $.produce_step,
      $.install_step,
      $.toolchain_step,
    ),

    workdir_step: $ => seq('workdir', field('path', $._path)),

    env_step: $ => seq('env', field('name', $.identifier), '=', field('value', $._value)),

    copy_step: $ => seq(
      'copy',
      choice(
        seq(
          $._artifact_copy_marker,
          field('artifact', $.artifact_reference),
          'to',
          field('destination', $._path),
        ),
        seq(field('source', $._path), repeat1(field('source', $._path))),
      ),
      repeat(field('option', choice($.chown_option, $.chmod_option))),
    ),

    chown_option: $ => seq('chown', field('owner', $.owner)),
    chmod_option: $ => seq('chmod', field('mode', $.mode)),

    run_step: $ => seq(
      'run',
      field('command', $._string),
      repeat(field('mount', choice($.cache_mount, $.secret_mount, $.ssh_mount, $.layer_option))),
    ),

    layer_option: _ => 'layer',

    install_step: $ => seq('install', repeat1(field('package', $._string))),

    cache_mount: $ => seq('cache', field('path', $._path), optional(field('locked', $.locked))),
    locked: _ => 'locked',

    secret_mount: $ => seq(
      'secret',
      field('name', $.identifier),
      optional(choice(
        seq('to', field('path', $._path)),
        seq('env', field('variable', $.identifier)),
      )),
    ),

    ssh_mount: _ => 'ssh',

    user_step: $ => seq('user', field('user', $.owner)),

    expose_step: $ => seq('expose', field('port', $.port)),

    label_step: $ => seq(
      'label',
      field('key', choice($._string, $.label_key)),
      '=',
      field('value', $._value),
    ),

    entrypoint_step: $ => seq('entrypoint', field('command', $._command)),
    cmd_step: $ => seq('cmd', field('command', $._command)),

    healthcheck_step: $ => seq(
      'healthcheck',
      field('command', $._command),
      repeat(field('option', $.healthcheck_option)),
    ),

    healthcheck_option: $ => seq(
      field('key', choice('interval', 'timeout', 'start-period', 'retries')),
      field('value', choice($.duration, $.number)),
    ),

    produce_step: $ => seq(
      'produce',
      field('name', $.identifier),
      ':',
      field('kind', $.artifact_kind),
      '=',
      field('path', $._path),
    ),

    toolchain_step: $ => seq(
      'toolchain',
      field('name', $.identifier),
      optional(seq(
        '{',
        repeat(choice($._newline, seq(field('option', $.toolchain_option), $._newline))),
        optional(field('option', $.toolchain_option)),
        '}',
      )),
    ),

    toolchain_option: $ => seq(field('name', $.identifier), field('value', $._path)),

    artifact_kind: $ => choice(
      'file',
      'dir',
      seq('exe', '(', field('linkage', $.linkage), ')'),
    ),

    linkage: _ => choice('static', 'glibc', 'musl'),

    // ---- commands ----------------------------------------------------------
    _command: $ => choice($.command_list, $._string, $.artifact_reference),

    command_list: $ => seq(
      '[',
      repeat($._newline),
      optional(seq(
        $._command_argument,
        repeat(seq(repeat($._newline), ',', repeat($._newline), $._command_argument)),
        repeat($._newline),
        optional(seq(',', repeat($._newline))),
      )),
      ']',
    ),

    _command_argument: $ => choice($._string, $.artifact_reference),

    // `server` (an artifact lying in the stage) or `build.server`.
    artifact_reference: $ => choice(
      field('artifact', $.identifier),
      seq(
        field('stage', $.identifier),
        token.immediate('.'),
        field('artifact', alias(token.immediate(IDENT), $.identifier)),
      ),
    ),

    // ---- literals ----------------------------------------------------------
    _value: $ => choice($._string, $.number, $.boolean),

    boolean: _ => choice('true', 'false'),

    number: _ => /[0-9]+/,
    duration: _ => /[0-9]+(ms|s|m|h)/,
    port: _ => /[0-9]+(\/(tcp|udp))?/,
    mode: _ => /[0-9]+/,
    owner: _ => /[A-Za-z0-9_:${}-]+/,
    label_key: _ => /[A-Za-z0-9._\/-]+/,

    _path: $ => choice($._string, $.path),
    // A bare path ends at white space and holds no `#`, `"`, brackets or
    // commas, except inside a `${name}`.
    path: _ => token(repeat1(choice(/[^\s#"{}\[\],]/, /\$\{[^}\s]*\}/))),

    // Wherever msbc takes a string, a `"""` block will do.
    _string: $ => choice($.string, $.raw_string),

    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence, $.interpolation)),
      token.immediate('"'),
    ),

    string_content: _ => token.immediate(prec(1, choice(/[^"\\$\r\n]+/, '$'))),

    escape_sequence: _ => token.immediate(prec(1, /\\(u\{[0-9A-Fa-f]*\}|[^\r\n])/)),

    // A `"""` block: no escapes, `${name}` still interpolates.
    raw_string: $ => seq(
      '"""',
      repeat(choice(alias($._raw_content, $.string_content), $.interpolation)),
      token.immediate(prec(1, '"""')),
    ),

    _raw_content: _ => token.immediate(prec(1, choice(/[^"$]+/, '"', '""', '$'))),

    interpolation: $ => seq(
      token.immediate(prec(1, '${')),
      field('name', alias(token.immediate(/[A-Za-z0-9_]+/), $.identifier)),
      token.immediate('}'),
    ),
  },
});

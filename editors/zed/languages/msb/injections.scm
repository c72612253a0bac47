; The command of a `run` step is a shell script.

((run_step
  command: (string
    (string_content) @injection.content))
  (#set! injection.language "bash")
  (#set! injection.combined))

((run_step
  command: (raw_string
    (string_content) @injection.content))
  (#set! injection.language "bash")
  (#set! injection.combined))

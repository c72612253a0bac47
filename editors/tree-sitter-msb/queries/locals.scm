; Scopes, definitions and references, for "highlight references" and
; "go to definition" without a language server.

(source_file) @local.scope
(block) @local.scope

(image_declaration
  name: (identifier) @local.definition.type)

(stage_declaration
  name: (identifier) @local.definition.type)

(param_declaration
  name: (identifier) @local.definition.parameter)

(secret_declaration
  name: (identifier) @local.definition.var)

(env_step
  name: (identifier) @local.definition.var)

(produce_step
  name: (identifier) @local.definition.field)

(stage_declaration
  base: (identifier) @local.reference)

(artifact_reference
  stage: (identifier) @local.reference)

(artifact_reference
  artifact: (identifier) @local.reference)

(interpolation
  name: (identifier) @local.reference)

(secret_mount
  name: (identifier) @local.reference)

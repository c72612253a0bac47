(image_declaration
  "image" @context
  name: (identifier) @name) @item

(param_declaration
  "param" @context
  name: (identifier) @name) @item

(secret_declaration
  "secret" @context
  name: (identifier) @name) @item

(stage_declaration
  default: (default)? @context
  role: (role) @context
  name: (identifier) @name) @item

; Indentation for Helix (its own capture names: @indent and @outdent).

[
  (block)
  (capabilities)
  (command_list)
  (enum_type)
] @indent

[
  "}"
  "]"
  ")"
] @outdent

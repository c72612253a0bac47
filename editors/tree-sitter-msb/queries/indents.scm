; Indentation, nvim-treesitter style (Helix: see queries/helix/indents.scm).

[
  (block)
  (capabilities)
  (command_list)
  (enum_type)
] @indent.begin

[
  "}"
  "]"
  ")"
] @indent.branch @indent.end

[
  (comment)
  (doc_comment)
] @indent.auto

(raw_string) @indent.ignore

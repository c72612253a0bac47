[
  (block)
  (capabilities)
  (command_list)
  (enum_type)
  (raw_string)
] @fold

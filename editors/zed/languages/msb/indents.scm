(block "}" @end) @indent
(capabilities "}" @end) @indent
(command_list "]" @end) @indent
(enum_type ")" @end) @indent

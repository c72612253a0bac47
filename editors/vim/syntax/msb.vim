" Vim syntax file
" Language:    msb, the build language msbc compiles to multi-stage Dockerfiles
" Filenames:   *.msb
" Maintainers: the msbc authors (editors/vim in the msbc repository)
"
" Keep the `syntax keyword` lines in step with grammar/msb.pest: a cargo test
" (tests/it/editors.rs) compares the keyword lists of every editor grammar.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" `start-period` is one word.
syntax iskeyword @,48-57,_,192-255,-

" ---- declarations -----------------------------------------------------------
syntax keyword msbDeclaration image param secret nextgroup=msbDeclName skipwhite
syntax match   msbDeclName    contained "\h[[:alnum:]_-]*"

syntax keyword msbModifier    default cross required
syntax keyword msbRole        base builder runtime nextgroup=msbStageName skipwhite
syntax match   msbStageName   contained "\h[[:alnum:]_-]*"
syntax keyword msbFrom        from nextgroup=msbStageRef skipwhite
syntax match   msbStageRef    contained "\h[[:alnum:]_-]*"

syntax keyword msbCapability  libc shell passwd packages
syntax keyword msbType        string bool int enum
syntax keyword msbBoolean     true false yes no

" ---- steps and their options ------------------------------------------------
syntax keyword msbStep        env run expose label entrypoint cmd healthcheck
syntax keyword msbStep        user nextgroup=msbOwner skipwhite
syntax keyword msbStep        workdir nextgroup=msbPath,msbString skipwhite
syntax keyword msbStep        copy nextgroup=msbArtifactRef,msbPath,msbString skipwhite
syntax keyword msbStep        produce install toolchain
syntax keyword msbTo          to nextgroup=msbPath,msbString skipwhite
syntax keyword msbOption      cache nextgroup=msbPath,msbString skipwhite
syntax keyword msbOption      chown nextgroup=msbOwner skipwhite
syntax keyword msbOption      locked chmod ssh layer interval timeout start-period retries
syntax keyword msbKind        file dir exe
syntax keyword msbLibc        static glibc musl none apt apk dnf

" A bare path: up to white space, never one of the words that follow a path.
syntax match   msbPath        contained +\%(\%(to\|chown\|chmod\|cache\|locked\|secret\|ssh\|layer\)\>\)\@![^ \t#"{}\[\],]\%([^ \t#"{}\[\],]\|\${[^} \t]*}\)*+ contains=msbInterpolation nextgroup=msbPath,msbString skipwhite
" The path of `produce NAME: KIND = PATH`.
syntax match   msbPath        +\%(\<produce\>.*=\s*\)\@<=[^ \t#"{}\[\],]\%([^ \t#"{}\[\],]\|\${[^} \t]*}\)*+ contains=msbInterpolation
syntax match   msbOwner       contained "\%([[:alnum:]_:-]\|\${\h\w*}\)\+" contains=msbInterpolation

" `build.server` before `to` in a copy; `server` or `build.server` in commands.
syntax match   msbArtifactRef contained "\h[[:alnum:]_-]*\%(\.\h[[:alnum:]_-]*\)\=\ze\s\+to\>"
syntax match   msbArtifactRef "\%(\<\%(entrypoint\|cmd\|healthcheck\)\s\+\|[[,]\s*\)\@<=\h[[:alnum:]_-]*\%(\.\h[[:alnum:]_-]*\)\="

" ---- literals -----------------------------------------------------------------
syntax match   msbNumber      "\<\d\+\%(ms\|s\|m\|h\|/tcp\|/udp\)\=\>"
syntax match   msbInterpolation "\${\h\w*}"
syntax match   msbEscape      contained +\\\%([\\"nrt0$]\|u{\x\{1,6}}\)+
syntax region  msbString      start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=msbEscape,msbInterpolation
" A `"""` block: several lines, no escapes, `${name}` interpolates.
syntax region  msbRawString   start=+"""+ end=+"""+ contains=msbInterpolation

syntax match   msbOperator    "[=:]"

" ---- comments -------------------------------------------------------------------
syntax keyword msbTodo        contained TODO FIXME XXX NOTE
syntax match   msbComment     "#.*$" contains=msbTodo,@Spell
" `##` followed by text documents the next declaration; a lone `##` is a comment.
syntax match   msbDocComment  "##.\+$" contains=msbTodo,@Spell

" Programs are small, and a `"""` block can span many lines.
syntax sync fromstart

highlight default link msbDeclaration   Keyword
highlight default link msbDeclName      Identifier
highlight default link msbModifier      StorageClass
highlight default link msbRole          Structure
highlight default link msbStageName     Function
highlight default link msbFrom          Keyword
highlight default link msbStageRef      Type
highlight default link msbCapability    Keyword
highlight default link msbType          Type
highlight default link msbBoolean       Boolean
highlight default link msbStep          Statement
highlight default link msbTo            Keyword
highlight default link msbOption        Keyword
highlight default link msbKind          Type
highlight default link msbLibc          Constant
highlight default link msbPath          Directory
highlight default link msbOwner         Constant
highlight default link msbArtifactRef   Identifier
highlight default link msbNumber        Number
highlight default link msbInterpolation PreProc
highlight default link msbEscape        SpecialChar
highlight default link msbString        String
highlight default link msbRawString     String
highlight default link msbOperator      Operator
highlight default link msbTodo          Todo
highlight default link msbComment       Comment
highlight default link msbDocComment    SpecialComment

let b:current_syntax = 'msb'

let &cpo = s:cpo_save
unlet s:cpo_save

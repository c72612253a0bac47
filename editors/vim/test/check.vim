" Headless check of the Vim syntax file:
"
"   vim -Nu NONE -es -S editors/vim/test/check.vim
"
" Opens programs from the repository with editors/vim on 'runtimepath' (so
" ftdetect sets the filetype), and compares the syntax group at chosen places
" with the expected one. Prints one line per failure and exits non-zero on
" any; prints a summary and exits 0 otherwise.

let s:here = expand('<sfile>:p:h')
let s:root = fnamemodify(s:here, ':h:h:h')
let &runtimepath = fnamemodify(s:here, ':h') . ',' . &runtimepath
filetype on
filetype plugin on
syntax on

let s:failures = []
let s:checks = 0

" The syntax group at the first match of `pattern` (a literal string
" searched from the top of the buffer), `offset` bytes into the match.
function! s:Expect(pattern, offset, group) abort
  call s:ExpectRegex('\V' . escape(a:pattern, '\'), a:offset, a:group)
endfunction

" The same with a regular expression (magic).
function! s:ExpectRegex(pattern, offset, group) abort
  let s:checks += 1
  call cursor(1, 1)
  let [l:line, l:col] = searchpos(a:pattern, 'cW')
  if l:line == 0
    call add(s:failures, printf('%s: `%s` not found', expand('%:t'), a:pattern))
    return
  endif
  let l:name = synIDattr(synID(l:line, l:col + a:offset, 1), 'name')
  if l:name !=# a:group
    call add(s:failures, printf('%s:%d:%d: `%s`+%d is %s, expected %s',
          \ fnamemodify(expand('%'), ':.'), l:line, l:col + a:offset, a:pattern, a:offset,
          \ empty(l:name) ? 'no group' : l:name, a:group))
  endif
endfunction

function! s:Open(path) abort
  execute 'edit ' . fnameescape(s:root . '/' . a:path)
  if &filetype !=# 'msb'
    call add(s:failures, printf('%s: filetype is "%s", expected msb', a:path, &filetype))
  endif
endfunction

" ---- an example -----------------------------------------------------------------
" Patterns describe shapes, not the example's exact text, so that editing the
" example does not break the check; `\zs` marks the place checked.
call s:Open('examples/seed-go/app.msb')
call s:ExpectRegex('^# ', 0, 'msbComment')
call s:ExpectRegex('^## \S', 0, 'msbDocComment')
call s:ExpectRegex('^image \h', 0, 'msbDeclaration')
call s:ExpectRegex('^image \zs\h', 0, 'msbDeclName')
call s:ExpectRegex('^image .*= \zs"', 0, 'msbString')
call s:ExpectRegex('^image .*= "\zs\S', 0, 'msbString')
call s:ExpectRegex('^builder \h', 0, 'msbRole')
call s:ExpectRegex('^builder \zs\h', 0, 'msbStageName')
call s:ExpectRegex('^builder \h[[:alnum:]_-]* \zsfrom ', 0, 'msbFrom')
call s:ExpectRegex('^builder \h[[:alnum:]_-]* from \zs\h', 0, 'msbStageRef')
call s:ExpectRegex('^runtime \zs\h', 0, 'msbStageName')
call s:ExpectRegex('^\s*\zsworkdir /', 0, 'msbStep')
call s:ExpectRegex('^\s*workdir \zs/', 0, 'msbPath')
call s:ExpectRegex('^\s*copy \zs\%(\h[[:alnum:]_-]*\.\h[[:alnum:]_-]* to\>\)\@!\S', 0, 'msbPath')
call s:ExpectRegex('^\s*copy \%(\h[[:alnum:]_-]*\.\h[[:alnum:]_-]* to\>\)\@!\S\+ \zs\S', 0, 'msbPath')
call s:ExpectRegex('\<\zscache /', 0, 'msbOption')
call s:ExpectRegex('\<cache \zs/', 0, 'msbPath')
call s:ExpectRegex('^\s*\zsproduce \h', 0, 'msbStep')
call s:ExpectRegex('^\s*produce .*\zsexe(', 0, 'msbKind')
call s:ExpectRegex('^\s*produce .*exe(\zs\l', 0, 'msbLibc')
call s:ExpectRegex('^\s*produce .*= \zs\S', 0, 'msbPath')
call s:ExpectRegex('^\s*copy \zs\h[[:alnum:]_-]*\.\h[[:alnum:]_-]* to\>', 0, 'msbArtifactRef')
call s:ExpectRegex('^\s*copy \h[[:alnum:]_-]*\.\zs\h[[:alnum:]_-]* to\>', 0, 'msbArtifactRef')
call s:ExpectRegex('^\s*copy \h[[:alnum:]_-]*\.\h[[:alnum:]_-]* \zsto\>', 0, 'msbTo')
call s:ExpectRegex('^\s*copy \h[[:alnum:]_-]*\.\h[[:alnum:]_-]* to \zs\S', 0, 'msbPath')
call s:ExpectRegex('^\s*expose \zs\d', 0, 'msbNumber')
call s:ExpectRegex('^\s*\zsentrypoint ', 0, 'msbStep')
call s:ExpectRegex('^\s*entrypoint \zs\h', 0, 'msbArtifactRef')

" ---- fixtures with the rest ---------------------------------------------------------
call s:Open('tests/data/parse/comments_and_docs.msb')
call s:ExpectRegex('^##$', 0, 'msbComment')
call s:Expect('## Builds everything.', 3, 'msbDocComment')
call s:Expect('"echo ''# not a comment''"', 7, 'msbString')
call s:Expect('# the `#` in a comment', 0, 'msbComment')

call s:Open('tests/data/parse/interpolation.msb')
call s:Expect('"${registry}', 1, 'msbInterpolation')
call s:Expect('workdir /src/${version}/cmd', 13, 'msbInterpolation')
call s:Expect('workdir /src/${version}/cmd', 8, 'msbPath')
call s:Expect('chown ${uid}', 0, 'msbOption')
call s:Expect('chown ${uid}', 6, 'msbInterpolation')
call s:Expect('user ${uid}', 5, 'msbInterpolation')

call s:Open('tests/data/parse/string_escapes.msb')
call s:Expect('\"hi\"', 0, 'msbEscape')
call s:Expect('\u{1F600}', 0, 'msbEscape')
call s:Expect('\$HOME', 0, 'msbEscape')

call s:Open('tests/data/parse/raw_block_dedent.msb')
call s:Expect('echo "in CI"', 0, 'msbRawString')
call s:Expect('make ${target}', 5, 'msbInterpolation')

call s:Open('tests/data/parse/params_every_type.msb')
call s:Expect('param token: string required', 13, 'msbType')
call s:Expect('param token: string required', 20, 'msbModifier')
call s:Expect('bool = false', 7, 'msbBoolean')
call s:Expect('enum("release"', 0, 'msbType')

call s:Open('tests/data/parse/every_step.msb')
call s:Expect('healthcheck [build.server', 13, 'msbArtifactRef')
call s:Expect('start-period 1m', 0, 'msbOption')
call s:Expect('start-period 1m', 13, 'msbNumber')
call s:Expect('expose 53/udp', 7, 'msbNumber')
call s:Expect('chmod 0755', 0, 'msbOption')
call s:Expect('user 65532', 5, 'msbOwner')

call s:Open('tests/data/parse/images_with_capabilities.msb')
call s:Expect('libc glibc', 0, 'msbCapability')
call s:Expect('libc glibc', 5, 'msbLibc')
call s:Expect('shell yes', 6, 'msbBoolean')

if !empty(s:failures)
  call writefile(s:failures + [printf('vim syntax check: %d of %d checks failed', len(s:failures), s:checks)], '/dev/stderr')
  cquit 1
endif
call writefile([printf('vim syntax check: %d checks passed', s:checks)], '/dev/stdout')
qall!

" msb programs (msbc).
autocmd BufNewFile,BufRead *.msb setfiletype msb

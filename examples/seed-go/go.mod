module example.com/seedgo

go 1.19

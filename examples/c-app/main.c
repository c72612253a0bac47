/* c-app: prints its version with --version, a greeting otherwise. */
#include <stdio.h>
#include <string.h>
#include "greet.h"

#define VERSION "1.0.0"

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("c-app %s\n", VERSION);
        return 0;
    }
    printf("%s\n", greeting());
    return 0;
}

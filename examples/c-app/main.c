/* c-app: prints its version with --version, when it was compiled with
 * --built (gcc takes that date from SOURCE_DATE_EPOCH when it is set, which
 * `msbc compile --reproducible` passes to the build), a greeting otherwise. */
#include <stdio.h>
#include <string.h>
#include "greet.h"

#define VERSION "1.0.0"

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("c-app %s\n", VERSION);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--built") == 0) {
        printf("built %s %s\n", __DATE__, __TIME__);
        return 0;
    }
    printf("%s\n", greeting());
    return 0;
}

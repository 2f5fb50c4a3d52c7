/* fuzz_check.h — the invariant check every libFuzzer target uses: a failed invariant prints
 * where and what, then aborts, so libFuzzer keeps the input as a crash. */
#ifndef OW_FUZZ_CHECK_H
#define OW_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif

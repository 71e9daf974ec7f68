/* node/text/casefold.h — case folding for matching names: "BÄCKEREI MÜLLER" finds
 * "Bäckerei Müller". Pure. Folds ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic capitals to small letters; every fold keeps the byte length, so a
 * folded key lines up with its source. Other characters pass unchanged. */
#ifndef RP_FOLD_H
#define RP_FOLD_H

#include <stddef.h>

/* Fold n bytes of UTF-8 from src into dst (dst may be src). */
void rp_fold(char *dst, const char *src, size_t n);

#endif

/* node/text/casefold.h — case folding for matching names: "BÄCKEREI MÜLLER" finds
 * "Bäckerei Müller". Pure. Folds ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic capitals to small letters; every fold keeps the byte length, so a
 * folded key lines up with its source. Other characters pass unchanged. */
#ifndef RP_FOLD_H
#define RP_FOLD_H

#include <stddef.h>

/* Fold n bytes of UTF-8 from src into dst (dst may be src). */
void rp_fold(char *dst, const char *src, size_t n);

/* The loose fold that search matches with (DESIGN.md §7 text rules: case-
 * and accent-insensitive): letters of Latin-1 and Latin Extended-A lose
 * their case and their marks (é→e, ł→l, ß→ss, æ→ae, œ→oe), Greek and
 * Cyrillic ones their case and marks too (Ά→α, ΐ→ι, ς→σ, Ё→е), other
 * two-byte letters their case as rp_fold, and an e after a, o or u is dropped, so
 * the German spellings meet: "Müller", "MUELLER" and "muller" all fold to
 * "muller", "Bäckerei" and "baeckerei" to "backerei". Fold both sides, then
 * compare bytes. Writes at most n bytes and a NUL to dst (n + 1 bytes;
 * dst may not be src) and returns the folded length. Never reads past n;
 * bytes that are not such a letter pass unchanged. */
size_t rp_fold_loose(char *dst, const char *src, size_t n);

#endif

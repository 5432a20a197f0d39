/*
 * Binlog positions and their order (binlog/binlog.h).  Servers name their
 * files BASE.NNNNNN, six digits at least, growing past six digits after
 * mysql-bin.999999; the number is what orders them.
 */
#include <stdio.h>
#include <string.h>

#include "binlog/binlog.h"

/* Where the numeric suffix of name starts (after the last dot), or NULL. */
static const char *suffix(const char *name, size_t *base_len)
{
	const char *dot = strrchr(name, '.');
	if (!dot || !dot[1])
		return NULL;
	for (const char *p = dot + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return NULL;
	*base_len = (size_t)(dot - name);
	return dot + 1;
}

int bl_file_cmp(const char *fa, const char *fb)
{
	size_t la, lb;
	const char *sa = suffix(fa, &la), *sb = suffix(fb, &lb);
	if (sa && sb && la == lb && !memcmp(fa, fb, la)) {
		/* same base: the longer number (leading zeros aside) is larger */
		while (*sa == '0' && sa[1])
			sa++;
		while (*sb == '0' && sb[1])
			sb++;
		size_t na = strlen(sa), nb = strlen(sb);
		if (na != nb)
			return na < nb ? -1 : 1;
		int c = strcmp(sa, sb);
		return c < 0 ? -1 : c > 0;
	}
	int c = strcmp(fa, fb);
	return c < 0 ? -1 : c > 0;
}

int bl_pos_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
	int c = bl_file_cmp(fa, fb);
	if (c)
		return c;
	return pa < pb ? -1 : pa > pb;
}

void bl_pos_set(struct bl_pos *p, const char *file, uint64_t pos)
{
	snprintf(p->file, sizeof(p->file), "%s", file ? file : "");
	p->pos = pos;
}

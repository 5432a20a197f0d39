/*
 * Binlog files: the 4-byte magic, then events one after another.  The
 * reader keeps one buffer that grows to the largest event seen (capped
 * at BL_MAX_EVENT), so memory stays flat whatever the file size.  The
 * event header is framed by bl_frame(), not read here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "binlog/binlog.h"

struct bl_file {
	int fd;
	char *path;
	uint8_t *buf;
	size_t cap;	/* allocated */
	size_t lo, hi;	/* unread bytes are buf[lo..hi) */
	uint64_t off;	/* file offset of buf[lo] */
	bool eof;
	uint64_t size;	/* file size for regular files, else UINT64_MAX */
};

#define READ_CHUNK (1u << 20)

static int fill(struct bl_file *f, size_t want, struct err *e)
{
	/* make buf[lo..] hold at least 'want' bytes unless the file ends */
	if (f->hi - f->lo >= want)
		return 0;
	if (f->lo) {
		memmove(f->buf, f->buf + f->lo, f->hi - f->lo);
		f->hi -= f->lo;
		f->lo = 0;
	}
	if (f->off + want > f->size)
		want = f->size > f->off ? (size_t)(f->size - f->off) : 0;
	if (want > f->cap) {
		size_t c = f->cap;
		while (c < want)
			c *= 2;
		f->buf = xrealloc(f->buf, c);
		f->cap = c;
	}
	while (f->hi < want && !f->eof) {
		ssize_t k = read(f->fd, f->buf + f->hi, f->cap - f->hi);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return err_set_at(e, ERR_IO, f->off + f->hi,
					  "read error: %s", strerror(errno));
		}
		if (k == 0)
			f->eof = true;
		f->hi += (size_t)k;
	}
	return 0;
}

int bl_file_open(struct bl_file **out, const char *path, struct err *e)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO, "is a directory");
	}
	struct bl_file *f = xcalloc(1, sizeof(*f));
	f->fd = fd;
	f->size = UINT64_MAX;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		f->size = (uint64_t)st.st_size;
	f->path = xstrdup(path);
	f->cap = READ_CHUNK;
	f->buf = xmalloc(f->cap);
	int rc = fill(f, 4, e);
	if (rc == 0 && f->hi < 4)
		rc = err_set_at(e, ERR_TRUNC, 0,
				"file of %zu bytes is too short for the binlog magic",
				f->hi);
	if (rc == 0 && memcmp(f->buf, BL_MAGIC, 4) != 0)
		rc = err_set_at(e, ERR_PROTO, 0,
				"not a binlog file (bad magic number)");
	if (rc) {
		bl_file_close(f);
		return rc;
	}
	f->lo = 4;
	f->off = 4;
	*out = f;
	return 0;
}

int bl_file_seek(struct bl_file *f, uint64_t pos, struct err *e)
{
	if (pos < 4)
		return err_set(e, ERR_USAGE, "position %llu is before the first event",
			       (unsigned long long)pos);
	if (lseek(f->fd, (off_t)pos, SEEK_SET) < 0)
		return err_set(e, ERR_IO, "cannot seek to %llu: %s",
			       (unsigned long long)pos, strerror(errno));
	f->lo = f->hi = 0;
	f->off = pos;
	f->eof = false;
	return 0;
}

int bl_file_next(struct bl_file *f, const uint8_t **p, size_t *n, uint64_t *pos,
		 struct err *e)
{
	int rc = fill(f, BL_HEADER_LEN, e);
	if (rc)
		return rc;
	size_t avail = f->hi - f->lo;
	if (avail == 0)
		return 0;
	if (avail < BL_HEADER_LEN)
		return err_set_at(e, ERR_TRUNC, f->off,
				  "truncated event header (%zu of %d bytes)",
				  avail, BL_HEADER_LEN);
	struct bl_header h;
	if (bl_frame(f->buf + f->lo, avail, &h))
		return err_set_at(e, ERR_PROTO, f->off,
				  "impossible event size %u", h.event_size);
	uint32_t size = h.event_size;
	rc = fill(f, size, e);
	if (rc)
		return rc;
	avail = f->hi - f->lo;
	if (avail < size)
		return err_set_at(e, ERR_TRUNC, f->off,
				  "truncated event (%zu of %u bytes present)",
				  avail, size);
	*p = f->buf + f->lo;
	*n = size;
	*pos = f->off;
	f->lo += size;
	f->off += size;
	return 1;
}

void bl_file_close(struct bl_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	free(f->path);
	free(f);
}

/*
 * capture: write a live binlog stream back into files named and split
 * like the server's, byte for byte.  The stream is the server's files
 * plus artificial events that are not in them: the fake ROTATE that
 * names the file at the start of a dump and after each rotation
 * (timestamp 0 or LOG_EVENT_ARTIFICIAL_F), the FORMAT_DESCRIPTION sent
 * again when a dump starts past position 4 (log_pos 0), and heartbeats.
 * When the server rotates it clears the in-use flag of the old file's
 * FORMAT_DESCRIPTION; the capture does the same.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "binlog/binlog.h"

#define LOG_EVENT_ARTIFICIAL_F 0x20
#define LOG_EVENT_BINLOG_IN_USE_F 0x01
/*
 * The low byte of the common header's flags(2), which holds the in-use
 * flag; the capture rewrites it (reading the header is bl_frame's job).
 */
#define FLAGS_OFF 17

struct bl_capture {
	char *dir;
	int fd;			/* current file, -1 when none */
	char file[256];		/* current file name */
	uint64_t pos;		/* bytes in the current file */
	bool checksum;		/* events carry a CRC32 trailer */
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= 256 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == 0)
			return false;
	return true;
}

/* Length of the valid prefix of a captured file: magic + whole events. */
static uint64_t valid_length(int fd, uint64_t size)
{
	uint8_t h[BL_HEADER_LEN];
	if (size < 4)
		return 0;
	uint64_t pos = 4;
	while (pos + BL_HEADER_LEN <= size) {
		if (pread(fd, h, BL_HEADER_LEN, (off_t)pos) != BL_HEADER_LEN)
			break;
		struct bl_header eh;
		if (bl_frame(h, sizeof(h), &eh) || pos + eh.event_size > size)
			break;
		pos += eh.event_size;
	}
	return pos;
}

int bl_capture_open(struct bl_capture **out, const char *dir, struct err *e)
{
	*out = NULL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "cannot create '%s': %s", dir,
			       strerror(errno));
	struct bl_capture *c = xcalloc(1, sizeof(*c));
	c->dir = xstrdup(dir);
	c->fd = -1;
	c->checksum = true;
	*out = c;
	return 0;
}

int bl_capture_resume_point(struct bl_capture *c, char *file, size_t n,
			    uint64_t *pos, struct err *e)
{
	/* the newest file is the greatest name (binlog.000001 ordering) */
	DIR *d = opendir(c->dir);
	if (!d)
		return err_set(e, ERR_IO, "cannot read '%s': %s", c->dir,
			       strerror(errno));
	char best[256] = "";
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len >= sizeof(best))
			continue;
		if (strcmp(de->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	*pos = 0;
	if (n)
		file[0] = 0;
	if (!best[0])
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", c->dir, best);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot open '%s': %s", path,
			       strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_set(e, ERR_IO, "cannot stat '%s'", path);
	}
	uint64_t ok = valid_length(fd, (uint64_t)st.st_size);
	if (ok < 4) {
		close(fd);
		return 0;	/* nothing useful: restart that file */
	}
	/* drop a partly written last event */
	if (ok < (uint64_t)st.st_size && ftruncate(fd, (off_t)ok) < 0) {
		close(fd);
		return err_set(e, ERR_IO, "cannot truncate '%s': %s", path,
			       strerror(errno));
	}
	close(fd);
	snprintf(file, n, "%s", best);
	*pos = ok;
	return 0;
}

static int open_file(struct bl_capture *c, const char *name, size_t len,
		     uint64_t pos, struct err *e)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	if (!name_ok(name, len))
		return err_set(e, ERR_PROTO, "bad binlog file name in rotate event");
	memcpy(c->file, name, len);
	c->file[len] = 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", c->dir, c->file);
	int flags = O_RDWR | O_CREAT | O_CLOEXEC;
	if (pos <= 4)
		flags |= O_TRUNC;
	c->fd = open(path, flags, 0644);
	if (c->fd < 0)
		return err_set(e, ERR_IO, "cannot open '%s': %s", path,
			       strerror(errno));
	if (pos <= 4) {
		if (write_all(c->fd, (const uint8_t *)BL_MAGIC, 4) < 0)
			return err_set(e, ERR_IO, "cannot write '%s': %s", path,
				       strerror(errno));
		c->pos = 4;
	} else {
		struct stat st;
		if (fstat(c->fd, &st) < 0 || (uint64_t)st.st_size != pos)
			return err_set(e, ERR_PROTO,
				       "resuming '%s' at %llu but the file has "
				       "%lld bytes",
				       c->file, (unsigned long long)pos,
				       (long long)st.st_size);
		if (lseek(c->fd, 0, SEEK_END) < 0)
			return err_set(e, ERR_IO, "seek failed on '%s'", path);
		c->pos = pos;
	}
	return 0;
}

/* Clear the in-use flag of the closed file's FORMAT_DESCRIPTION. */
static int mark_closed(struct bl_capture *c, struct err *e)
{
	uint8_t h[BL_HEADER_LEN];
	struct bl_header fh;
	if (pread(c->fd, h, BL_HEADER_LEN, 4) != BL_HEADER_LEN ||
	    bl_frame(h, sizeof(h), &fh))
		return 0;
	if (fh.type != BL_FORMAT_DESCRIPTION_EVENT ||
	    !(fh.flags & LOG_EVENT_BINLOG_IN_USE_F))
		return 0;
	uint8_t f = (uint8_t)(fh.flags & ~LOG_EVENT_BINLOG_IN_USE_F);
	if (pwrite(c->fd, &f, 1, 4 + FLAGS_OFF) != 1)
		return err_set(e, ERR_IO, "cannot update '%s': %s", c->file,
			       strerror(errno));
	return 0;
}

int bl_capture_event(struct bl_capture *c, const uint8_t *p, size_t n,
		     struct err *e)
{
	struct bl_header h;
	if (bl_frame(p, n, &h) || h.event_size != n)
		return err_set(e, ERR_PROTO, "malformed event of %zu bytes", n);
	uint32_t ts = h.timestamp, log_pos = h.log_pos;
	uint8_t type = h.type;
	uint16_t flags = h.flags;
	struct rd r;
	rd_init(&r, p + BL_HEADER_LEN, n - BL_HEADER_LEN);
	if (type == BL_HEARTBEAT_LOG_EVENT || type == BL_HEARTBEAT_LOG_EVENT_V2)
		return 0;
	bool artificial = (flags & LOG_EVENT_ARTIFICIAL_F) || ts == 0 ||
			  log_pos == 0;
	if (type == BL_ROTATE_EVENT && artificial) {
		/* names the file that the following events belong to */
		uint64_t pos = rd_u64le(&r);
		size_t len = rd_left(&r);
		if (c->checksum) {
			if (len < 4)
				return err_set(e, ERR_PROTO, "rotate event too short");
			len -= 4;
		}
		struct bytes name = rd_bytes(&r, len);
		if (r.err || !name_ok((const char *)name.p, len))
			return err_set(e, ERR_PROTO, "bad file name in rotate event");
		if (c->fd >= 0 && strlen(c->file) == len &&
		    !memcmp(c->file, name.p, len) && pos == c->pos)
			return 0;	/* same file, same place */
		return open_file(c, (const char *)name.p, len, pos, e);
	}
	if (type == BL_FORMAT_DESCRIPTION_EVENT && log_pos == 0 && c->pos > 4)
		return 0;	/* re-sent at the start of a dump past position 4 */
	if (c->fd < 0)
		return err_set(e, ERR_PROTO,
			       "event before any rotate event names the file");
	if (log_pos && log_pos != (uint32_t)(c->pos + n))
		return err_set(e, ERR_PROTO,
			       "event ends at %u in the stream but at %llu in "
			       "'%s'",
			       log_pos, (unsigned long long)(c->pos + n), c->file);
	int wrc;
	if (type == BL_FORMAT_DESCRIPTION_EVENT && c->pos == 4 &&
	    !(flags & LOG_EVENT_BINLOG_IN_USE_F) && n > FLAGS_OFF) {
		/*
		 * The server's own copy of an open file carries the in-use
		 * flag (the dump thread sends it cleared); set it while the
		 * file is open and clear it at the rotation or the stop, as
		 * the server does.  The checksum is taken with it clear.
		 */
		uint8_t *copy = malloc(n);
		if (!copy)
			return err_set(e, ERR_IO, "out of memory");
		memcpy(copy, p, n);
		copy[FLAGS_OFF] |= LOG_EVENT_BINLOG_IN_USE_F;
		wrc = write_all(c->fd, copy, n);
		free(copy);
	} else {
		wrc = write_all(c->fd, p, n);
	}
	if (wrc < 0)
		return err_set(e, ERR_IO, "cannot write '%s': %s", c->file,
			       strerror(errno));
	c->pos += n;
	if (type == BL_STOP_EVENT) {
		int rc = mark_closed(c, e);
		if (rc)
			return rc;
	}
	if (type == BL_ROTATE_EVENT) {
		int rc = mark_closed(c, e);
		if (rc)
			return rc;
		if (fsync(c->fd) < 0)
			return err_set(e, ERR_IO, "fsync '%s': %s", c->file,
				       strerror(errno));
		close(c->fd);
		c->fd = -1;
	}
	return 0;
}

void bl_capture_set_checksum(struct bl_capture *c, bool on)
{
	c->checksum = on;
}

int bl_capture_sync(struct bl_capture *c, struct err *e)
{
	if (c->fd >= 0 && fsync(c->fd) < 0)
		return err_set(e, ERR_IO, "fsync '%s': %s", c->file,
			       strerror(errno));
	return 0;
}

const char *bl_capture_file(const struct bl_capture *c, uint64_t *pos)
{
	if (pos)
		*pos = c->pos;
	return c->file;
}

void bl_capture_close(struct bl_capture *c)
{
	if (!c)
		return;
	if (c->fd >= 0) {
		fsync(c->fd);
		close(c->fd);
	}
	free(c->dir);
	free(c);
}

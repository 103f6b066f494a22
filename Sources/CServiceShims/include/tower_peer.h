#ifndef TOWER_PEER_H
#define TOWER_PEER_H

/* The user id of the process at the other end of the Unix socket `fd`, as the kernel recorded it at connect
   (SO_PEERCRED, which needs _GNU_SOURCE and so is not visible to Swift's Glibc module). 0 on success, -1 on failure. */
int tower_peer_uid(int fd, unsigned int *uid);

#endif

#define _GNU_SOURCE
#include "tower_peer.h"

#include <sys/socket.h>

int tower_peer_uid(int fd, unsigned int *uid) {
    struct ucred credentials;
    socklen_t size = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return -1;
    *uid = credentials.uid;
    return 0;
}

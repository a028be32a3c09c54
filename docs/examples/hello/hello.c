/* The talk's example server: answers every HTTP request on port 5000 with "hello".
 * Built with `gcc -static`, so the image needs no libc: the binary is the whole root file system. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT 5000

int main(void) {
    static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n";
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr.s_addr = htonl(INADDR_ANY)};
    int one = 1;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    signal(SIGPIPE, SIG_IGN);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
            || bind(s, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(s, 16) < 0) {
        perror("hello: Failed to listen on port 5000");
        return 1;
    }
    printf("hello: listening on port %d\n", PORT);
    fflush(stdout);
    for (;;) {
        char request[4096];
        int c = accept(s, NULL, NULL);
        if (c < 0) {
            continue;
        }
        (void) read(c, request, sizeof request); /* the request itself does not matter */
        (void) write(c, reply, strlen(reply));
        close(c);
    }
}

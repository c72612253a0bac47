// java-app: an HTTP server from the JDK's own com.sun.net.httpserver, with
// commons-lang3 as its one dependency, built by msbc's `java` toolchain preset.
package dev.msbc.example;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.commons.lang3.StringUtils;

public final class App {
    static final String NAME = "java-app";
    static final String VERSION = "1.0.0";

    private App() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println(StringUtils.joinWith(" ", NAME, VERSION));
            return;
        }
        int port = Integer.parseInt(StringUtils.defaultIfBlank(System.getenv("PORT"), "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            byte[] body = (StringUtils.capitalize("hello from " + NAME) + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println(NAME + " " + VERSION + " listening on :" + port);
    }
}

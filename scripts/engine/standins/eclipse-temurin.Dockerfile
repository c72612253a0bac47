# Stand-in for eclipse-temurin:21-jre (test scaffolding, not the upstream
# image): Debian 13's OpenJDK 21 JRE, headless (not Temurin), on the
# debootstrapped debian:trixie-slim stand-in, apt's downloaded packages
# cleaned. JAVA_HOME=/opt/java/openjdk as upstream sets it; like upstream,
# root is the only user (a runtime names its own, msbc's default 65532).
FROM debian:trixie-slim
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends openjdk-21-jre-headless \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /opt/java \
 && ln -s "$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")" /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    LANG=C.UTF-8 \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN java -version

# Stand-in for maven:3.9-eclipse-temurin-21 (test scaffolding, not the
# upstream image): Debian 13's Maven 3.9 and OpenJDK 21 (not Temurin) on the
# debootstrapped debian:trixie-slim stand-in. Maven Central is not reachable
# here, so the stand-in carries its own repository: Debian's
# /usr/share/maven-repo, filled by the packages of the plugins a jar build
# runs (the versions examples/java-app pins) and of commons-lang3, and named
# by a global settings.xml as the mirror of every repository. Builds FROM it
# then resolve everything from that folder, with no network at all. The
# mirror is scaffolding of this image only: generated Dockerfiles never
# carry it. JAVA_HOME=/opt/java/openjdk and MAVEN_HOME=/usr/share/maven as
# upstream sets them.
FROM debian:trixie-slim
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends openjdk-21-jdk-headless maven \
      libmaven-clean-plugin-java libmaven-resources-plugin-java libmaven-compiler-plugin-java \
      libsurefire-java libmaven-jar-plugin-java libmaven-assembly-plugin-java \
      libmaven-install-plugin-java libmaven-deploy-plugin-java libmaven-site-plugin-java \
      libmaven-dependency-plugin-java libcommons-lang3-java \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /opt/java \
 && ln -s "$(dirname "$(dirname "$(readlink -f /usr/bin/javac)")")" /opt/java/openjdk
COPY <<'EOF' /etc/maven/settings.xml
<?xml version="1.0" encoding="UTF-8"?>
<!-- msbc test scaffolding: Debian's maven-repo stands in for Maven Central. -->
<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd">
  <mirrors>
    <mirror>
      <id>debian-maven-repo</id>
      <name>Debian's /usr/share/maven-repo, standing in for every remote repository</name>
      <url>file:///usr/share/maven-repo</url>
      <mirrorOf>*</mirrorOf>
    </mirror>
  </mirrors>
</settings>
EOF
ENV JAVA_HOME=/opt/java/openjdk \
    MAVEN_HOME=/usr/share/maven \
    MAVEN_CONFIG=/root/.m2 \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN java -version && mvn -v
CMD ["mvn"]

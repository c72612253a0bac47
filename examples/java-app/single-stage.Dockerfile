# What a first Dockerfile for this app often looks like: one stage, the
# whole context copied, then packaged. For the benchmark (scripts/toolchain-bench.sh).
FROM maven:3.9-eclipse-temurin-21
WORKDIR /src
COPY . .
RUN mvn -B -ntp package -DskipTests
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/src/target/java-app-1.0.0.jar"]

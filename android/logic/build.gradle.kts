// Everything of the app that is not drawing: state holders, sync policy, formatting,
// enrollment, navigation. Depends only on the bindings and kotlinx-coroutines, so that it runs on
// a plain JVM: scripts/kotlin-tests compiles and runs src/test with kotlinc on the project's
// machines; here, `./gradlew :logic:logicTests` does the same against a server started by
// scripts/with-test-server (it reads the server's address and codes from the environment).
plugins {
    alias(libs.plugins.kotlin.jvm)
}
dependencies {
    api(project(":core-bindings"))
    api(libs.kotlinx.coroutines.core)
    compileOnly(libs.jna)
    testImplementation(libs.kotlin.test)
    testImplementation(libs.jna)
}
tasks.register<JavaExec>("logicTests") {
    description = "Runs the logic's JVM tests (a plain runner; needs the host build of libsotay_ffi)."
    mainClass.set("vn.sotay.app.logic.LogicTestsKt")
    classpath = sourceSets["test"].runtimeClasspath
    systemProperty("jna.library.path", rootProject.file("../target/debug").absolutePath)
}

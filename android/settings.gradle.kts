// Sổ Tay for Android. Not built on the project's machines (no Android SDK, no Maven Central):
// see README.md here. `logic` is also compiled and tested on the JVM by scripts/kotlin-tests.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "sotay"
include(":core-bindings", ":logic", ":app")

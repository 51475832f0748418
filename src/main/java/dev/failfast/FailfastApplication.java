package dev.failfast;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Runs batches of jobs and stops a whole batch the moment it should stop. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FailfastApplication {

    public static void main(String[] args) {
        SpringApplication.run(FailfastApplication.class, args);
    }

}

/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The compiled module-info of the library: the API and nothing else. */
class ModuleDescriptorTest {
    private static ModuleDescriptor descriptor() throws URISyntaxException {
        Path classes = Path.of(CpuOpv.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleReference ref = ModuleFinder.of(classes).find("org.cpuopv").orElseThrow(
                () -> new AssertionError("no module org.cpuopv in " + classes));
        return ref.descriptor();
    }

    @Test
    void exportsOnlyTheApi() throws Exception {
        ModuleDescriptor d = descriptor();
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertTrue(e.targets().isEmpty(), "qualified export " + e);
            exported.add(e.source());
        }
        assertEquals(Set.of("org.cpuopv", "org.cpuopv.percpu"), exported);
        assertTrue(d.packages().contains("org.cpuopv.internal"), d.packages().toString());
        assertTrue(d.opens().isEmpty(), "opens " + d.opens());
    }

    @Test
    void needsNothingButTheJdk() throws Exception {
        Set<String> required = descriptor().requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("java.base", "jdk.unsupported"), required);
        assertEquals(Set.of("org.cpuopv.ExecuteListenerProvider"), descriptor().uses());
    }
}

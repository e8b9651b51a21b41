package dev.fledge.helm.argocd;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.luaj.vm2.lib.jse.JseOsLib;

/**
 * Runs an Argo CD resource-customization script the way Argo CD does: the resource as the
 * global {@code obj}, only the base, package, table, string and math libraries (no io), of os
 * only {@code os.date} and {@code os.time} (Argo CD's safe os library, also by
 * {@code require("os")}), and the script's return value read back as plain Java maps and lists.
 */
final class ArgoLua {

    private ArgoLua() {}

    static Path dir() {
        return Path.of(System.getProperty("fledge.chart.dir", "fledge"), "argocd")
                .toAbsolutePath()
                .normalize();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> resource(Path yamlFile) {
        return Serialization.unmarshal(read(yamlFile), Map.class);
    }

    /** Runs {@code script} with {@code obj} and returns what it returns, as Java values. */
    static Object run(Path script, Map<String, Object> obj) {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        LuaTable os = safeOs();
        globals.set("os", os);
        globals.get("package").get("loaded").set("os", os);
        LoadState.install(globals);
        LuaC.install(globals);
        globals.set("obj", toLua(obj));
        return toJava(
                globals.load(read(script), script.getFileName().toString()).call());
    }

    private static LuaTable safeOs() {
        Globals scratch = new Globals();
        scratch.load(new JseBaseLib());
        scratch.load(new PackageLib());
        scratch.load(new JseOsLib());
        LuaTable safe = new LuaTable();
        for (String f : new String[] {"date", "time"}) {
            safe.set(f, scratch.get("os").get(f));
        }
        return safe;
    }

    /** A value as it comes back from Lua unchanged (numbers become longs or doubles). */
    static Object roundTrip(Object value) {
        return toJava(toLua(value));
    }

    static LuaValue toLua(Object value) {
        if (value == null) {
            return LuaValue.NIL;
        }
        if (value instanceof Map<?, ?> map) {
            LuaTable table = new LuaTable();
            map.forEach((k, v) -> table.set(String.valueOf(k), toLua(v)));
            return table;
        }
        if (value instanceof List<?> list) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < list.size(); i++) {
                table.set(i + 1, toLua(list.get(i)));
            }
            return table;
        }
        if (value instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        if (value instanceof Integer || value instanceof Long) {
            // Argo CD hands Lua JSON numbers; gopher-lua prints integral ones without a fraction, as LuaJ does
            return LuaValue.valueOf(((Number) value).doubleValue());
        }
        if (value instanceof Number n) {
            return LuaValue.valueOf(n.doubleValue());
        }
        return LuaValue.valueOf(value.toString());
    }

    static Object toJava(LuaValue value) {
        if (value.isnil()) {
            return null;
        }
        if (value.istable()) {
            LuaTable table = value.checktable();
            int length = table.length();
            if (length > 0 && length == table.keyCount()) {
                List<Object> list = new ArrayList<>();
                for (int i = 1; i <= length; i++) {
                    list.add(toJava(table.get(i)));
                }
                return list;
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (LuaValue key : table.keys()) {
                map.put(key.tojstring(), toJava(table.get(key)));
            }
            return map;
        }
        if (value.isboolean()) {
            return value.toboolean();
        }
        if (value.isnumber()) {
            double d = value.todouble();
            return d == Math.rint(d) ? (Object) (long) d : (Object) d;
        }
        return value.tojstring();
    }
}

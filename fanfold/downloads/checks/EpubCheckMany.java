// Runs epubcheck on several books in one JVM (each JVM start costs seconds) and prints one JSON
// line per book: {"path": ..., "fatal": n, "errors": n, "warnings": n}. Messages go to stderr.
// Usage: java -cp /usr/share/java/epubcheck.jar EpubCheckMany.java BOOK.epub...
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class EpubCheckMany {
    public static void main(String[] args) {
        for (String path : args) {
            File file = new File(path);
            DefaultReportImpl report = new DefaultReportImpl(file.getName());
            new EpubCheck(file, report).validate();
            String quoted = path.replace("\\", "\\\\").replace("\"", "\\\"");
            System.out.println("{\"path\": \"" + quoted + "\", \"fatal\": " + report.getFatalErrorCount()
                + ", \"errors\": " + report.getErrorCount() + ", \"warnings\": " + report.getWarningCount() + "}");
        }
    }
}
